package dev.meridian.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The published JSON Schema describes the language the engine reads: the built-in profiles pass it. */
class PolicySchemaTest {

    static Schema schema() throws Exception {
        try (InputStream in = PolicySchemaTest.class.getResourceAsStream("/dev/meridian/policy/meridian-policy.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    @Test
    void everyBuiltInProfileValidates() throws Exception {
        Schema schema = schema();
        for (String profile : PolicyLoader.PROFILES) {
            List<Error> errors = schema.validate(PolicyLoader.profileText(profile), InputFormat.YAML);
            assertEquals(List.of(), errors, profile);
        }
    }

    @Test
    void theSchemaRejectsWhatTheEngineRejects() throws Exception {
        List<Error> errors = schema().validate("""
                meridian-policy: 1
                syscals: {default: allow}
                files:
                  deny: [{paths: [/etc/shadow], access: [create]}]
                """, InputFormat.YAML);
        String text = errors.toString();
        assertTrue(text.contains("'syscals' is not defined"), text);
        assertTrue(text.contains("/files/deny/0/access"), text);
    }
}
