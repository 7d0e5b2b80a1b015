package dev.meridian.policy.internal;

import dev.meridian.api.PolicySource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.Policy;
import dev.meridian.api.PolicyException;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import org.junit.jupiter.api.Test;

class BuiltinPolicyEngineTest {

    private final BuiltinPolicyEngine engine = new BuiltinPolicyEngine();

    @Test
    void traceAllowsEveryCallWithoutLookingAtMemory() throws PolicyException {
        Policy trace = engine.load(List.of(PolicySource.profile("trace")), java.util.Map.of());
        SyscallEvent call = new SyscallEvent();
        for (int nr : new int[] {0, 2, 59, 257, 425, 469}) {
            call.reset(1, 100, 0xC000003E, nr, 0);
            trace.decide(call);
            assertEquals(VerdictAction.ALLOW, call.action());
            assertFalse(call.memoryDependent(), "trace must stay continuable");
            assertEquals("trace/allow-all", trace.ruleName(call.ruleId()));
        }
    }

    @Test
    void unknownProfileNamesTheKnownOnes() {
        PolicyException e = assertThrows(PolicyException.class, () -> engine.load(List.of(PolicySource.profile("strickt")), java.util.Map.of()));
        assertTrue(e.getMessage().contains("'strickt'"), e.getMessage());
        assertTrue(e.getMessage().contains("trace"), e.getMessage());
    }
}
