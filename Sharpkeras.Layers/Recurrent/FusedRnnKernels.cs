using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// libtorch's fused recurrent kernels (<c>aten::lstm</c>, <c>aten::gru</c>, <c>aten::rnn_tanh</c>,
/// <c>aten::rnn_relu</c>; cuDNN on CUDA) called with weight tensors the layer builds from its
/// <see cref="KerasVariable"/>s on every call, so autograd reaches the variables. TorchSharp exposes these
/// ops only through its TorchScript compiler, so they are reached through a small compiled script.
/// </summary>
/// <remarks>
/// Every function takes a batch-first sequence <c>x</c> (batch, time, features), the initial states (each
/// (1, batch, units)), the flat torch-layout parameter list (w_ih, w_hh[, b_ih, b_hh]) and returns
/// [outputs (batch, time, units), h_n[, c_n]].
/// </remarks>
internal static class FusedRnnKernels
{
    private const string Script = @"
def lstm(x: Tensor, states: List[Tensor], params: List[Tensor], has_biases: bool, train: bool) -> List[Tensor]:
    out, h, c = torch.lstm(x, states, params, has_biases, 1, 0.0, train, False, True)
    return [out, h, c]


def gru(x: Tensor, states: List[Tensor], params: List[Tensor], has_biases: bool, train: bool) -> List[Tensor]:
    out, h = torch.gru(x, states[0], params, has_biases, 1, 0.0, train, False, True)
    return [out, h]


def rnn_tanh(x: Tensor, states: List[Tensor], params: List[Tensor], has_biases: bool, train: bool) -> List[Tensor]:
    out, h = torch.rnn_tanh(x, states[0], params, has_biases, 1, 0.0, train, False, True)
    return [out, h]


def rnn_relu(x: Tensor, states: List[Tensor], params: List[Tensor], has_biases: bool, train: bool) -> List[Tensor]:
    out, h = torch.rnn_relu(x, states[0], params, has_biases, 1, 0.0, train, False, True)
    return [out, h]

";

    private static readonly Lazy<jit.CompilationUnit> Unit = new(() => jit.compile(Script), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs kernel <paramref name="kernel"/> ("lstm", "gru", "rnn_tanh", "rnn_relu") over every step.</summary>
    /// <remarks>
    /// libtorch's CPU LSTM takes a oneDNN inference path when autograd is off, and that path returns wrong values
    /// (pytorch/pytorch#173922; reproduced with libtorch 2.10: outputs off by up to ~1 against the LSTM equations,
    /// while the same call with autograd on is exact). So a float CPU LSTM under <c>no_grad</c> runs with autograd
    /// switched on and its results are detached: same values as in training, nothing kept for backward.
    /// </remarks>
    public static Tensor[] Run(string kernel, Tensor x, Tensor[] states, Tensor[] parameters, bool hasBiases)
    {
        bool grad = torch.is_grad_enabled();
        if (grad || kernel != "lstm" || x.device_type != DeviceType.CPU)
            return (Tensor[])Unit.Value.invoke(kernel, x, states, parameters, hasBiases, grad);
        Tensor[] raw;
        using (torch.enable_grad())
            raw = (Tensor[])Unit.Value.invoke(kernel, x, states, parameters, hasBiases, false);
        var result = raw.Select(t => t.detach()).ToArray();
        foreach (var t in raw) t.Dispose();
        return result;
    }
}
