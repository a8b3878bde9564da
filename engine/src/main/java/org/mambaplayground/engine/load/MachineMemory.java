package org.mambaplayground.engine.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This machine's memory: total and available now, from Linux's /proc/meminfo (MemTotal, MemAvailable: what can be
 * used without swapping, page cache included), or the JVM's view of the operating system elsewhere.
 */
public record MachineMemory(long totalBytes, long availableBytes) {
    public static MachineMemory read() { return read(Path.of("/proc/meminfo")); }

    static MachineMemory read(Path meminfo) {
        try {
            long total = -1, available = -1;
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) total = kiB(line);
                else if (line.startsWith("MemAvailable:")) available = kiB(line);
            }
            if (total > 0 && available >= 0) return new MachineMemory(total, available);
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unreadable file: ask the JVM
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return new MachineMemory(os.getTotalMemorySize(), os.getFreeMemorySize());
        }
        return new MachineMemory(Runtime.getRuntime().maxMemory(), Runtime.getRuntime().maxMemory());
    }

    private static long kiB(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }
}
