package dev.cairn.autograd;

import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs backpropagation: visits the recorded graph from a root in reverse topological order, sums
 * the gradients flowing into each node, and accumulates them into the leaves that require grad.
 * Nodes are released afterwards. Runs with recording off (no higher-order gradients).
 *
 * <p>Thread safety: several threads may run {@code backward} at the same time on separate graphs,
 * also when the graphs share leaves (one model, different inputs): as in PyTorch, each leaf's
 * {@code grad} then receives the sum of every contribution, because accumulation into leaves (the
 * read of the old gradient and the store of the sum) is done under one lock. Not safe, as in PyTorch:
 * two threads running backward through the same graph (non-leaf nodes are consumed by the first),
 * and changing a leaf's gradient by other means ({@code setGrad}, {@code zeroGrad}, an optimizer
 * step) while a backward that feeds it runs; the caller orders those (e.g. join the backward threads,
 * then step).
 */
public final class Engine {
    private Engine() {
    }

    /** Backpropagates {@code gradient} (shape of {@code root}) through {@code root}'s graph. */
    public static void backward(Tensor root, Tensor gradient) {
        if (!root.requiresGrad()) {
            throw new CairnException("backward: tensor does not require grad and has no grad_fn");
        }
        if (!Arrays.equals(root.shape(), gradient.shape())) {
            throw new ShapeException("backward: gradient shape " + Shapes.format(gradient.shape())
                    + " does not match the tensor's shape " + Shapes.format(root.shape()));
        }
        try (var g = GradMode.noGrad()) {
            GradNode rootNode = root.gradFn();
            if (rootNode == null) {
                accumulate(root, gradient);
                return;
            }
            List<GradNode> order = topologicalOrder(rootNode);
            Map<GradNode, Tensor> pending = new IdentityHashMap<>();
            pending.put(rootNode, gradient);
            for (GradNode node : order) {
                Tensor grad = pending.remove(node);
                if (grad == null) {
                    node.release();
                    continue;
                }
                Tensor[] inputs = node.inputArray();
                node.checkSavedUnchanged();
                Tensor[] inputGrads;
                try {
                    inputGrads = node.backward(grad);
                } catch (CairnException e) {
                    // a tensor the node's gradient reads but did not declare as saved was closed
                    if (e.getMessage() != null && e.getMessage().contains("has been closed")) {
                        throw node.closedSavedTensor("a tensor (" + e.getMessage() + ")", e);
                    }
                    throw e;
                }
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    Tensor ig = inputGrads[i];
                    if (in == null || ig == null || !in.requiresGrad()) {
                        continue;
                    }
                    GradNode next = in.gradFn();
                    if (next == null) {
                        accumulate(in, ig);
                    } else {
                        pending.merge(next, ig, Tensor::add);
                    }
                }
                node.release();
            }
        }
    }

    /**
     * Serializes accumulation into leaves across threads. One lock rather than one per leaf: the same leaf
     * can reach a graph as a {@code Parameter} or as the tensor behind it, and only the sum is done under
     * it, so concurrent backward passes overlap everywhere else.
     */
    private static final Object LEAF_GRADS = new Object();

    private static void accumulate(Tensor leaf, Tensor grad) {
        if (!Arrays.equals(leaf.shape(), grad.shape())) {
            throw new IllegalStateException("internal error: gradient of shape " + Shapes.format(grad.shape())
                    + " for a leaf of shape " + Shapes.format(leaf.shape()));
        }
        synchronized (LEAF_GRADS) {
            Tensor old = leaf.grad();
            leaf.setGrad(old == null ? grad.copy() : old.add(grad));
        }
    }

    /** Nodes reachable from {@code root}, each after every node that feeds gradient into it. */
    private static List<GradNode> topologicalOrder(GradNode root) {
        Map<GradNode, Boolean> visited = new IdentityHashMap<>();
        List<GradNode> postOrder = new ArrayList<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            GradNode node = (GradNode) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = node.inputArray();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                GradNode child = in == null ? null : in.gradFn();
                if (child != null && !visited.containsKey(child)) {
                    visited.put(child, Boolean.TRUE);
                    stack.push(new Object[] {child, 0});
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}
