package dev.cairn.tensor;

import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.backend.Backend;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;

/**
 * What a {@link Tensor} handle stands for (PyTorch's {@code TensorImpl}): a view (offset, shape,
 * strides) over a backend storage on one device, holding one claim on that storage. A body never
 * changes; a {@link dev.cairn.nn.Parameter} or {@link dev.cairn.nn.Buffer} keeps its identity across
 * {@code module.to(device)} and state-dict loads by swapping its body.
 *
 * <p>Closing a body releases its claim at once; a body nobody closed is released by a cleaner once
 * it is unreachable. Safe to read from several threads; closing is idempotent and atomic.
 */
final class TensorBody {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(TensorBody.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Backend backend;
    final Device device;
    final DType dtype;
    final SharedStorage shared;
    final int offset;
    /**
     * Sizes and strides: never written after the body is made (code that needs its own copy clones), so a
     * new body of the same layout shares them ({@link #newDenseLike}).
     */
    final int[] shape;
    final int[] strides;
    final int numel;
    final boolean contiguous;
    /** Whether {@link #strides} are exactly the row-major strides of {@link #shape} (known for new dense bodies). */
    private final boolean rowMajor;
    private final SharedStorage.Claim claim;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    TensorBody(Backend backend, Device device, SharedStorage shared, int offset, int[] shape, int[] strides) {
        this(backend, device, shared, offset, shape, strides, Shapes.numel(shape), UNKNOWN);
    }

    /** {@code knownContiguous}: {@link #ROW_MAJOR}, {@link #CONTIGUOUS} or {@link #UNKNOWN} (computed from the strides). */
    private static final int ROW_MAJOR = 2;
    private static final int CONTIGUOUS = 1;
    private static final int UNKNOWN = -1;

    /**
     * With {@code numel} known and {@code knownContiguous} {@link #ROW_MAJOR} (a new allocation with
     * {@link StridedView#contiguousStrides}), {@link #CONTIGUOUS} or {@link #UNKNOWN}: the per-op hot path
     * skips recomputing what the caller knows.
     */
    private TensorBody(Backend backend, Device device, SharedStorage shared, int offset, int[] shape, int[] strides,
                       int numel, int knownContiguous) {
        this.backend = backend;
        this.device = device;
        this.dtype = shared.storage().dtype();
        this.shared = shared;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.numel = numel;
        // like PyTorch, a tensor without elements is contiguous whatever its strides
        this.contiguous = knownContiguous >= CONTIGUOUS || numel == 0 || Shapes.isContiguous(shape, strides);
        this.rowMajor = knownContiguous == ROW_MAJOR;
        Storage storage = shared.storage();
        if (storage.needsExplicitFree()) {
            this.claim = new SharedStorage.Claim(shared);
            this.cleanable = CLEANER.register(this, claim);
        } else {
            // heap memory: the GC frees it; a recyclable storage still counts claims so close() can recycle it
            this.claim = storage.recyclable() ? new SharedStorage.Claim(shared) : null;
            this.cleanable = null;
        }
    }

    /** A dense, row-major float32 body of {@code shape} over new memory of {@code backend}. */
    static TensorBody dense(Backend backend, Device device, int[] shape) {
        int n = Shapes.numel(shape);
        Storage storage = backend.allocate(device.index(), n);
        return new TensorBody(backend, device, new SharedStorage(storage), 0, shape, Shapes.contiguousStrides(shape),
                n, ROW_MAJOR);
    }

    /** A dense, row-major body of {@code dtype} and {@code shape} over new memory of {@code backend}. */
    static TensorBody dense(Backend backend, Device device, DType dtype, int[] shape) {
        int n = Shapes.numel(shape);
        Storage storage = backend.allocate(device.index(), dtype, n);
        return new TensorBody(backend, device, new SharedStorage(storage), 0, shape, Shapes.contiguousStrides(shape),
                n, ROW_MAJOR);
    }

    /** Another body over the same memory with another layout (a view), holding its own claim. */
    TensorBody view(int viewOffset, int[] viewShape, int[] viewStrides) {
        return new TensorBody(backend, device, shared, viewOffset, viewShape, viewStrides);
    }

    /** Another body over the same memory and layout, holding its own claim. */
    TensorBody share() {
        return new TensorBody(backend, device, shared, offset, shape, strides, numel,
                rowMajor ? ROW_MAJOR : contiguous ? CONTIGUOUS : UNKNOWN);
    }

    /** A dense body of {@code newShape} and this body's dtype on the same device. */
    TensorBody newDense(int[] newShape) {
        return dtype == DType.FLOAT32 ? dense(backend, device, newShape) : dense(backend, device, dtype, newShape);
    }

    /**
     * A dense body of this body's shape and dtype on the same device: what an elementwise op writes. It shares
     * this body's shape array, and its strides array when that is row-major; nothing is recomputed.
     */
    TensorBody newDenseLike() {
        return newDenseLike(dtype);
    }

    /** {@link #newDenseLike()} with elements of {@code newDtype}. */
    TensorBody newDenseLike(DType newDtype) {
        Storage storage = newDtype == DType.FLOAT32 ? backend.allocate(device.index(), numel)
                : backend.allocate(device.index(), newDtype, numel);
        return new TensorBody(backend, device, new SharedStorage(storage), 0, shape,
                rowMajor ? strides : Shapes.contiguousStrides(shape), numel, ROW_MAJOR);
    }

    /** A dense body of {@code newDtype} and {@code newShape} on the same device. */
    TensorBody newDense(DType newDtype, int[] newShape) {
        return dense(backend, device, newDtype, newShape);
    }

    Storage storage() {
        return shared.storage();
    }

    /** This body as a kernel operand. */
    StridedView stridedView() {
        return new StridedView(storage(), offset, shape, strides);
    }

    /** This body broadcast to {@code target} (stride 0 along expanded dimensions), as a kernel operand. */
    StridedView viewAs(int[] target) {
        if (Shapes.same(shape, target)) { // the common case: no dimension to expand
            return stridedView();
        }
        return new StridedView(storage(), offset, target, Shapes.broadcastStrides(shape, strides, target));
    }

    /** Whether {@code copyFrom} can write here: dense and owning all of its storage. */
    boolean ownsDenseMemory() {
        return !closed && contiguous && offset == 0 && storage().size() == numel;
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        if (closed) {
            return;
        }
        // a release store, not a volatile write: on x86 the latter is a full fence, paid for every tensor a
        // TensorScope closes; a racing second close is harmless (the claim and the cleaner run once)
        CLOSED.setRelease(this, true);
        if (cleanable != null) {
            cleanable.clean();
        } else if (claim != null) {
            claim.run();
        }
    }
}
