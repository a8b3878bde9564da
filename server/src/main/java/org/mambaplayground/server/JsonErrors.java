package org.mambaplayground.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.CharConversionException;

/**
 * What is wrong with a JSON body, in words a client can act on: never Jackson's own texts, which name
 * its classes, features and settings ("bound as `JsonNode`", "StreamReadConstraints", "Source: ...").
 */
final class JsonErrors {
    private JsonErrors() {}

    static String describe(JacksonException e) {
        String what;
        if (e instanceof StreamConstraintsException) {
            what = "it is nested too deeply, or holds a number or a string too long";
        } else if (e instanceof JsonEOFException) {
            what = "it ends in the middle of a value";
        } else if (e instanceof MismatchedInputException m && m.getMessage() != null && m.getMessage().startsWith("Trailing token")) {
            what = "there is more after the JSON value";
        } else if (e instanceof MismatchedInputException) {
            what = "it holds no JSON value";
        } else if (e.getCause() instanceof CharConversionException || String.valueOf(e.getOriginalMessage()).contains("UTF-8")) {
            what = "it is not valid UTF-8";
        } else {
            what = "it is not valid JSON" + unexpected(e.getOriginalMessage());
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) what += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return what;
    }

    /** The offending character, from Jackson's "Unexpected character ('x' (code 120))..." */
    private static String unexpected(String message) {
        if (message == null) return "";
        var m = java.util.regex.Pattern.compile("^Unexpected character \\('(.{1,2})' \\(code \\d+\\)\\)").matcher(message);
        if (m.find()) return ": unexpected '" + m.group(1) + "'";
        var t = java.util.regex.Pattern.compile("^Unrecognized token '([^']{1,40})'").matcher(message);
        if (t.find()) return ": unexpected '" + t.group(1) + "'";
        return "";
    }
}
