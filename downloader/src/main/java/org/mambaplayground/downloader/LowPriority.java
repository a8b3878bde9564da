package org.mambaplayground.downloader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Lets the calling thread run only on CPU that would otherwise idle: Linux's SCHED_IDLE policy (any normal
 * thread that wakes up takes the core at once), and nice 19 in case that policy is refused. Java's thread
 * priorities do nothing on Linux without root-only JVM flags, so this asks the kernel directly; both calls
 * take a thread id there.
 * Best effort: elsewhere, or without native access, the thread keeps its priority.
 */
final class LowPriority {

    private static final int SCHED_IDLE = 5;
    private static final int PRIO_PROCESS = 0;
    private static final int LOWEST_NICE = 19;

    private LowPriority() {}

    /** Returns whether the thread's priority was lowered. */
    static boolean applyToCurrentThread() {
        if (!System.getProperty("os.name", "").equals("Linux")) return false;
        try (Arena arena = Arena.ofConfined()) {
            int tid = (int) Libc.GETTID.invokeExact();
            MemorySegment param = arena.allocate(ValueLayout.JAVA_INT);  // struct sched_param { int sched_priority = 0; }
            int idle = (int) Libc.SCHED_SETSCHEDULER.invokeExact(tid, SCHED_IDLE, param);
            int nice = (int) Libc.SETPRIORITY.invokeExact(PRIO_PROCESS, tid, LOWEST_NICE);
            return idle == 0 || nice == 0;
        } catch (Throwable e) {
            return false;  // no gettid (old libc) or native access denied: hashing at normal priority is still correct
        }
    }

    /** Looked up on first use (a failure here surfaces as the Throwable caught above). */
    private static final class Libc {
        static final Linker LINKER = Linker.nativeLinker();
        static final SymbolLookup LOOKUP = LINKER.defaultLookup();
        static final MethodHandle GETTID = handle("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        static final MethodHandle SCHED_SETSCHEDULER = handle("sched_setscheduler",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        static final MethodHandle SETPRIORITY = handle("setpriority",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        private static MethodHandle handle(String name, FunctionDescriptor type) {
            return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(), type);
        }
    }
}
