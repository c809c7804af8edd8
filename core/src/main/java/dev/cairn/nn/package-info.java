/**
 * Models the PyTorch way: {@link dev.cairn.nn.Module} (subclass it, register children, parameters
 * and buffers, implement {@code forward}, run it with {@code call}), the layers
 * ({@link dev.cairn.nn.Linear}, {@link dev.cairn.nn.LazyLinear}, {@link dev.cairn.nn.ReLU}),
 * {@link dev.cairn.nn.Sequential}, functional ops ({@link dev.cairn.nn.F}), initialisers
 * ({@link dev.cairn.nn.Init}), losses ({@link dev.cairn.nn.Losses}) and a layer-by-layer
 * {@link dev.cairn.nn.Summary}. State dicts use PyTorch's key names.
 *
 * <p>Import {@code dev.cairn.nn.Module} by name, not only through {@code dev.cairn.nn.*}: with the
 * wildcard alone, {@code Module} is ambiguous with {@code java.lang.Module}, which every Java file
 * imports implicitly.
 *
 * <p>Thread safety: a module may run {@code forward} on several threads at once under
 * {@code GradMode.noGrad()} as long as nobody changes it (loads a state dict, moves it, trains it)
 * meanwhile; training is single-threaded.
 */
package dev.cairn.nn;
