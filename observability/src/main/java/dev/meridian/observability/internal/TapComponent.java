package dev.meridian.observability.internal;

import dev.meridian.api.NorthShim;
import dev.meridian.api.TrafficTap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * What the components counting traffic share: their subscription to the bound {@link TrafficTap} and the syscall
 * names of the bound shims. Both references are optional and dynamic, so a bus or shim bundle being replaced never
 * deactivates a component (which would reset its counts). The DS annotations here are read for the subclasses
 * ({@code -dsannotations-options: inherit} in bnd.bnd).
 */
abstract class TapComponent {
    private final List<NorthShim> shims = new CopyOnWriteArrayList<>();
    final SyscallNames names = new SyscallNames(() -> shims);
    final TapSubscription subscription = new TapSubscription();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTap(TrafficTap tap) {
        subscription.tap(tap);
    }

    void unbindTap(TrafficTap tap) {
        subscription.untap(tap);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindShim(NorthShim shim) {
        shims.add(shim);
        names.shimsChanged();
    }

    void unbindShim(NorthShim shim) {
        shims.remove(shim);
        names.shimsChanged();
    }
}
