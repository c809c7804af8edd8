package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Module's tree API: apply order, child lookup, buffers by dotted name, name checks, modes. */
class ModuleTreeTest {

    /** A module with a buffer, optionally sharing another module's buffer. */
    static final class Leaf extends Module {
        final Buffer scale;

        Leaf(Buffer shared) {
            scale = registerBuffer("scale", shared == null ? Tensor.vector(1, 2) : shared);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(scale);
        }
    }

    static final class Tree extends Module {
        final Leaf a = register("a", new Leaf(null));
        final Leaf b = register("b", new Leaf(a.scale)); // the same buffer under two names
        final Buffer own = registerBuffer("own", Tensor.scalar(3));

        @Override
        public Tensor forward(Tensor x) {
            return b.call(a.call(x)).mul(own);
        }
    }

    @Test
    void applyVisitsChildrenFirstAndReturnsTheModule() {
        Tree t = new Tree();
        List<Module> seen = new ArrayList<>();
        assertSame(t, t.apply(seen::add));
        assertEquals(List.of(t.a, t.b, t), seen);
    }

    @Test
    void buffersAreListedByDottedNameEachOnce() {
        Tree t = new Tree();
        Map<String, Buffer> buffers = t.namedBuffers();
        assertEquals(List.of("own", "a.scale"), List.copyOf(buffers.keySet()), "b.scale is a.scale: listed once");
        assertSame(t.a.scale, buffers.get("a.scale"));
        assertEquals(Map.of("own", t.own), t.ownBuffers());
        assertEquals(Map.of("scale", t.a.scale), t.a.ownBuffers());
        assertTrue(t.stateDict().containsKey("own") && t.stateDict().containsKey("a.scale"));
    }

    @Test
    void childLookupNamesTheKnownChildren() {
        Tree t = new Tree();
        assertSame(t.b, t.child("b"));
        CairnException e = assertThrows(CairnException.class, () -> t.child("c"));
        assertTrue(e.getMessage().contains("has no child 'c' (children: [a, b])"), e.getMessage());
    }

    @Test
    void bufferNamesAreChecked() {
        CairnException dotted = assertThrows(CairnException.class, () -> new Module() {
            {
                registerBuffer("a.b", Tensor.scalar(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        });
        assertTrue(dotted.getMessage().contains("invalid buffer name 'a.b'"), dotted.getMessage());
        CairnException twice = assertThrows(CairnException.class, () -> new Module() {
            {
                registerBuffer("w", Tensor.scalar(1));
                registerBuffer("w", Tensor.scalar(2));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        });
        assertTrue(twice.getMessage().contains("already has an attribute named 'w'"), twice.getMessage());
    }

    @Test
    void trainAndEvalReachTheWholeTreeAndReturnTheModule() {
        Tree t = new Tree();
        assertTrue(t.isTraining() && t.a.isTraining());
        assertSame(t, t.eval());
        assertFalse(t.isTraining() || t.a.isTraining() || t.b.isTraining());
        assertSame(t, t.train());
        assertTrue(t.b.isTraining());
        assertSame(t, t.to(dev.cairn.Device.cpu()));
    }

    @Test
    void aGradNodeIsNamedAfterItsOperation() {
        Tensor y = Tensor.vector(1, 2).requiresGrad(true).mul(2f);
        assertEquals("MulBackward", y.gradFn().name());
    }
}
