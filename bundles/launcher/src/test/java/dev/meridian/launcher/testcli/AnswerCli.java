package dev.meridian.launcher.testcli;

import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The command line of the bundles the launcher tests generate: answers the component property "answer" plus the
 * number of arguments, or refuses to activate when "fail" is true. Packed into a bundle jar, never loaded from the
 * test classpath by the framework.
 */
public class AnswerCli implements ToIntFunction<String[]> {
    private int answer;

    public void activate(Map<String, Object> properties) {
        if (Boolean.parseBoolean(String.valueOf(properties.get("fail")))) {
            throw new IllegalStateException("activation refused by the test");
        }
        answer = Integer.parseInt(String.valueOf(properties.get("answer")));
    }

    @Override
    public int applyAsInt(String[] args) {
        return answer + args.length;
    }
}
