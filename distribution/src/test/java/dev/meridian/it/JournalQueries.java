package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a journal back through {@code meridian journal ... --json}, one parsed object per line. */
final class JournalQueries {

    private JournalQueries() {
    }

    /** {@code meridian journal --journal DIR --json FILTERS...}: the journaled calls, in printed order. */
    static List<Map<String, Object>> calls(Path journal, String... filters) {
        List<String> arguments = new ArrayList<>(List.of("journal", "--journal", journal.toString(), "--json"));
        arguments.addAll(List.of(filters));
        return jsonLines(Commands.meridian(arguments));
    }

    /** {@code meridian journal --journal DIR --sandboxes --json}: one object per sandbox. */
    static List<Map<String, Object>> sandboxes(Path journal) {
        return jsonLines(Commands.meridian(List.of("journal", "--journal", journal.toString(), "--sandboxes", "--json")));
    }

    private static List<Map<String, Object>> jsonLines(Commands.Outcome listing) {
        assertEquals(0, listing.exitCode(), listing::describe);
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String line : Commands.lines(listing.out())) {
            try {
                objects.add(Json.parseObject(line));
            } catch (IllegalArgumentException e) {
                fail("meridian journal --json printed a line that is not a JSON object: " + e.getMessage()
                        + "\n" + listing.describe());
            }
        }
        return objects;
    }

    static String text(Map<String, Object> call) {
        return (String) call.get("text");
    }

    static String syscall(Map<String, Object> call) {
        return (String) call.get("syscall");
    }

    static long number(Map<String, Object> object, String field) {
        if (!(object.get(field) instanceof Long value)) {
            throw new AssertionError("field \"" + field + "\" is not an integer in " + object);
        }
        return value;
    }
}
