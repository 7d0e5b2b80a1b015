package dev.meridian.launcher;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Why Declarative Services has not activated components: missing references and activation failures, as reported by
 * SCR's ServiceComponentRuntime. Its API lives in a bundle, not on the launcher's classpath, so the launcher reads it
 * reflectively; this only runs when start-up has already failed.
 */
final class ComponentDiagnostics {
    private static final String RUNTIME = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    // ComponentConfigurationDTO states.
    private static final int UNSATISFIED_CONFIGURATION = 1;
    private static final int UNSATISFIED_REFERENCE = 2;
    private static final int FAILED_ACTIVATION = 16;

    private ComponentDiagnostics() {
    }

    /** One line per component that is enabled but not satisfied or failed to activate. */
    static List<String> problems(BundleContext system) {
        // "All": the system bundle does not import the runtime's package, so a class-checked lookup finds nothing.
        ServiceReference<?>[] references;
        try {
            references = system.getAllServiceReferences(RUNTIME, null);
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (references == null) {
            return List.of("Declarative Services (org.apache.felix.scr) is not running");
        }
        ServiceReference<?> reference = references[0];
        Object runtime = system.getService(reference);
        try {
            Class<?> api = runtimeInterface(runtime.getClass());
            Method descriptionsOf = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
            List<String> problems = new ArrayList<>();
            for (Object description : (Collection<?>) descriptionsOf.invoke(runtime, (Object) new Bundle[0])) {
                Method configurationsOf = api.getMethod("getComponentConfigurationDTOs", description.getClass());
                String component = field(description, "name") + " (bundle "
                        + field(field(description, "bundle"), "symbolicName") + ")";
                for (Object configuration : (Collection<?>) configurationsOf.invoke(runtime, description)) {
                    String problem = problem(description, configuration);
                    if (problem != null) {
                        problems.add("component " + component + " " + problem);
                    }
                }
            }
            return problems;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return List.of("cannot read the component states from SCR: " + Console.describe(e));
        } finally {
            system.ungetService(reference);
        }
    }

    private static String problem(Object description, Object configuration) throws ReflectiveOperationException {
        int state = (Integer) field(configuration, "state");
        return switch (state) {
            case UNSATISFIED_CONFIGURATION -> "waits for its configuration";
            case UNSATISFIED_REFERENCE -> "is missing " + missingReferences(description, configuration);
            case FAILED_ACTIVATION -> "failed to activate: " + firstLine((String) field(configuration, "failure"));
            default -> null;
        };
    }

    private static String missingReferences(Object description, Object configuration)
            throws ReflectiveOperationException {
        List<String> missing = new ArrayList<>();
        Object unsatisfied = field(configuration, "unsatisfiedReferences");
        Object declared = field(description, "references");
        for (int i = 0; i < Array.getLength(unsatisfied); i++) {
            String name = (String) field(Array.get(unsatisfied, i), "name");
            String type = "?";
            for (int j = 0; j < Array.getLength(declared); j++) {
                if (name.equals(field(Array.get(declared, j), "name"))) {
                    type = (String) field(Array.get(declared, j), "interfaceName");
                }
            }
            missing.add("reference '" + name + "' (" + type + ")");
        }
        return String.join(", ", missing);
    }

    private static Class<?> runtimeInterface(Class<?> implementation) throws ClassNotFoundException {
        for (Class<?> type = implementation; type != null; type = type.getSuperclass()) {
            for (Class<?> candidate : type.getInterfaces()) {
                if (candidate.getName().equals(RUNTIME)) {
                    return candidate;
                }
            }
        }
        throw new ClassNotFoundException(RUNTIME + " is not implemented by " + implementation.getName());
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        return dto.getClass().getField(name).get(dto);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no reason given";
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
