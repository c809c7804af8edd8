package dev.cairn.tensor;

import dev.cairn.autograd.GradNode;

/**
 * A tensor that forwards every operation to another tensor it holds, which it may swap: the base of
 * {@code Parameter} and {@code Buffer}, whose identity must survive {@code module.to(device)} and
 * state-dict loading while their memory changes. Ops unwrap it, so it can be passed anywhere a
 * tensor goes.
 */
public abstract class DelegatingTensor implements Tensor {
    /** The tensor this one currently stands for. */
    public abstract Tensor delegate();

    @Override
    public void close() {
        delegate().close();
    }

    @Override
    public int[] shape() {
        return delegate().shape();
    }

    @Override
    public int size(int dim) {
        return delegate().size(dim);
    }

    @Override
    public int dim() {
        return delegate().dim();
    }

    @Override
    public int numel() {
        return delegate().numel();
    }

    @Override
    public DType dtype() {
        return delegate().dtype();
    }

    @Override
    public Device device() {
        return delegate().device();
    }

    @Override
    public int[] strides() {
        return delegate().strides();
    }

    @Override
    public boolean isContiguous() {
        return delegate().isContiguous();
    }

    @Override
    public float item() {
        return delegate().item();
    }

    @Override
    public float[] toFloatArray() {
        return delegate().toFloatArray();
    }

    @Override
    public Tensor to(Device device) {
        return delegate().to(device);
    }

    @Override
    public Tensor contiguous() {
        return delegate().contiguous();
    }

    @Override
    public Tensor copy() {
        return delegate().copy();
    }

    @Override
    public boolean isClosed() {
        return delegate().isClosed();
    }

    @Override
    public Tensor reshape(int... shape) {
        return delegate().reshape(shape);
    }

    @Override
    public Tensor view(int... shape) {
        return delegate().view(shape);
    }

    @Override
    public Tensor transpose(int dim0, int dim1) {
        return delegate().transpose(dim0, dim1);
    }

    @Override
    public Tensor t() {
        return delegate().t();
    }

    @Override
    public Tensor permute(int... dims) {
        return delegate().permute(dims);
    }

    @Override
    public Tensor expand(int... shape) {
        return delegate().expand(shape);
    }

    @Override
    public Tensor squeeze() {
        return delegate().squeeze();
    }

    @Override
    public Tensor squeeze(int dim) {
        return delegate().squeeze(dim);
    }

    @Override
    public Tensor unsqueeze(int dim) {
        return delegate().unsqueeze(dim);
    }

    @Override
    public Tensor flatten() {
        return delegate().flatten();
    }

    @Override
    public Tensor add(Tensor other) {
        return delegate().add(other);
    }

    @Override
    public Tensor add(float value) {
        return delegate().add(value);
    }

    @Override
    public Tensor sub(Tensor other) {
        return delegate().sub(other);
    }

    @Override
    public Tensor sub(float value) {
        return delegate().sub(value);
    }

    @Override
    public Tensor mul(Tensor other) {
        return delegate().mul(other);
    }

    @Override
    public Tensor mul(float value) {
        return delegate().mul(value);
    }

    @Override
    public Tensor div(Tensor other) {
        return delegate().div(other);
    }

    @Override
    public Tensor div(float value) {
        return delegate().div(value);
    }

    @Override
    public Tensor pow(Tensor exponent) {
        return delegate().pow(exponent);
    }

    @Override
    public Tensor pow(float exponent) {
        return delegate().pow(exponent);
    }

    @Override
    public Tensor neg() {
        return delegate().neg();
    }

    @Override
    public Tensor abs() {
        return delegate().abs();
    }

    @Override
    public Tensor relu() {
        return delegate().relu();
    }

    @Override
    public Tensor exp() {
        return delegate().exp();
    }

    @Override
    public Tensor log() {
        return delegate().log();
    }

    @Override
    public Tensor sqrt() {
        return delegate().sqrt();
    }

    @Override
    public Tensor sign() {
        return delegate().sign();
    }

    @Override
    public Tensor maximum(Tensor other) {
        return delegate().maximum(other);
    }

    @Override
    public Tensor minimum(Tensor other) {
        return delegate().minimum(other);
    }

    @Override
    public Tensor gt(float value) {
        return delegate().gt(value);
    }

    @Override
    public Tensor ge(float value) {
        return delegate().ge(value);
    }

    @Override
    public Tensor lt(float value) {
        return delegate().lt(value);
    }

    @Override
    public Tensor le(float value) {
        return delegate().le(value);
    }

    @Override
    public Tensor eq(float value) {
        return delegate().eq(value);
    }

    @Override
    public Tensor ne(float value) {
        return delegate().ne(value);
    }

    @Override
    public Tensor sum() {
        return delegate().sum();
    }

    @Override
    public Tensor sum(int dim, boolean keepdim) {
        return delegate().sum(dim, keepdim);
    }

    @Override
    public Tensor sum(int[] dims, boolean keepdim) {
        return delegate().sum(dims, keepdim);
    }

    @Override
    public Tensor mean() {
        return delegate().mean();
    }

    @Override
    public Tensor mean(int dim, boolean keepdim) {
        return delegate().mean(dim, keepdim);
    }

    @Override
    public Tensor max() {
        return delegate().max();
    }

    @Override
    public Tensor max(int dim, boolean keepdim) {
        return delegate().max(dim, keepdim);
    }

    @Override
    public Tensor min() {
        return delegate().min();
    }

    @Override
    public Tensor min(int dim, boolean keepdim) {
        return delegate().min(dim, keepdim);
    }

    @Override
    public Tensor argmax() {
        return delegate().argmax();
    }

    @Override
    public Tensor argmax(int dim, boolean keepdim) {
        return delegate().argmax(dim, keepdim);
    }

    @Override
    public Tensor argmin(int dim, boolean keepdim) {
        return delegate().argmin(dim, keepdim);
    }

    @Override
    public Tensor matmul(Tensor other) {
        return delegate().matmul(other);
    }

    @Override
    public Tensor mm(Tensor other) {
        return delegate().mm(other);
    }

    @Override
    public Tensor bmm(Tensor other) {
        return delegate().bmm(other);
    }

    @Override
    public boolean requiresGrad() {
        return delegate().requiresGrad();
    }

    @Override
    public Tensor requiresGrad(boolean requiresGrad) {
        return delegate().requiresGrad(requiresGrad);
    }

    @Override
    public Tensor grad() {
        return delegate().grad();
    }

    @Override
    public void setGrad(Tensor grad) {
        delegate().setGrad(grad);
    }

    @Override
    public GradNode gradFn() {
        return delegate().gradFn();
    }

    @Override
    public boolean isLeaf() {
        return delegate().isLeaf();
    }

    @Override
    public void backward() {
        delegate().backward();
    }

    @Override
    public void backward(Tensor gradient) {
        delegate().backward(gradient);
    }

    @Override
    public Tensor detach() {
        return delegate().detach();
    }

    @Override
    public Tensor copyFrom(Tensor source) {
        return delegate().copyFrom(source);
    }

    @Override
    public Tensor gt(Tensor other) {
        return delegate().gt(other);
    }

    @Override
    public Tensor lt(Tensor other) {
        return delegate().lt(other);
    }

    @Override
    public Tensor eq(Tensor other) {
        return delegate().eq(other);
    }

    @Override
    public String toString() {
        return delegate().toString();
    }
}
