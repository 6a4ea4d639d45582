using NUnit.Framework;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.ActivationTests;

/// <summary>keras.activations with their arguments, against values by hand.</summary>
public class ActivationArgumentTests
{
    private static Tensor X(params double[] v) => T(v);

    [Test]
    public void ReluWithSlopeCapAndThreshold()
    {
        // Keras: negative part relu(-x + 1) = [2, .5, 0, 0]; x where x > 1; clip to [0, 2]; minus 0.1 · negative part.
        Close(Sharpkeras.Activations.Relu(X(-1, 0.5, 1.5, 3), negativeSlope: 0.1, maxValue: 2, threshold: 1), [-0.2, -0.05, 1.5, 2]);
        Close(Sharpkeras.Activations.Relu(X(-1, 0.5, 7)), [0, 0.5, 7]);
        Close(Sharpkeras.Activations.Relu(X(-1, 0.5, 7), maxValue: 6), [0, 0.5, 6]);
        Close(Sharpkeras.Activations.Relu(X(-1, 0.5), negativeSlope: 0.5), [-0.5, 0.5]);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Sharpkeras.Activations.Relu(X(1), negativeSlope: -1))!.ParamName, Is.EqualTo("negativeSlope"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Sharpkeras.Activations.Relu(X(1), maxValue: -1))!.ParamName, Is.EqualTo("maxValue"));
    }

    [Test]
    public void ParameterisedFunctions()
    {
        Close(Sharpkeras.Activations.LeakyRelu(X(-1, 2)), [-0.2, 2]);
        Close(Sharpkeras.Activations.LeakyRelu(X(-1, 2), negativeSlope: 0.3), [-0.3, 2]);
        Close(Sharpkeras.Activations.Gelu(X(1), approximate: true), [0.8411919906082768]);
        Close(Sharpkeras.Activations.Gelu(X(1)), [0.8413447460685429]);
        Close(Sharpkeras.Activations.Elu(X(-1, 2), alpha: 2), [2 * (Math.Exp(-1) - 1), 2]);
        Close(Sharpkeras.Activations.Celu(X(-1, 2), alpha: 2), [2 * (Math.Exp(-0.5) - 1), 2]);
        Close(Sharpkeras.Activations.Glu(X(1, 2, 3, 4)), [0.9525741268224334, 1.964027580075817]);
        Close(Sharpkeras.Activations.Softmax(T2(new double[,] { { 0, 0 }, { 0, Math.Log(3) } }), axis: 0), [0.5, 0.25, 0.5, 0.75]);
        Close(Sharpkeras.Activations.LogSoftmax(X(0, 0)), [-Math.Log(2), -Math.Log(2)]);
        Close(Sharpkeras.Activations.SoftShrink(X(-1, 0.2, 1)), [-0.5, 0, 0.5]);
        Close(Sharpkeras.Activations.HardShrink(X(-1, 0.2, 1), threshold: 0.5), [-1, 0, 1]);
        Close(Sharpkeras.Activations.Squareplus(X(0)), [1]);
        Close(Sharpkeras.Activations.Threshold(X(1, 3), 2, -1), [-1, 3]);
        Assert.Throws<ArgumentException>(() => Sharpkeras.Activations.Glu(X(1, 2, 3)));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Sharpkeras.Activations.Celu(X(1), alpha: 0))!.ParamName, Is.EqualTo("alpha"));
    }

    [Test]
    public void FixedFunctions()
    {
        Close(Sharpkeras.Activations.HardSigmoid(X(-4, 1, 4)), [0, 4.0 / 6, 1]);
        Close(Sharpkeras.Activations.HardSilu(X(1)), [4.0 / 6]);
        Close(Sharpkeras.Activations.Mish(X(1)), [0.8650983882673103]);
        Close(Sharpkeras.Activations.SparsePlus(X(-2, 0, 0.5, 2)), [0, 0.25, 0.5625, 2]);
        Close(Sharpkeras.Activations.SparseSigmoid(X(-2, 0, 0.5, 2)), [0, 0.5, 0.75, 1]);
        Close(Sharpkeras.Activations.LogSigmoid(X(0)), [-Math.Log(2)]);
        Close(Sharpkeras.Activations.TanhShrink(X(1)), [0.23840584404423515]);
        Close(Sharpkeras.Activations.HardTanh(X(-3, 0.5, 3)), [-1, 0.5, 1]);
        Close(Sharpkeras.Activations.Relu6(X(-1, 7)), [0, 6]);
        Close(Sharpkeras.Activations.Softsign(X(1)), [0.5]);
    }

    [Test]
    public void SparsemaxProjectsOntoTheSimplex()
    {
        // sorted [1, .5, -1]: support k = 2, tau = (1.5 - 1) / 2
        Close(Sharpkeras.Activations.Sparsemax(X(1, 0.5, -1)), [0.75, 0.25, 0]);
        Close(Sharpkeras.Activations.Sparsemax(T2(new double[,] { { 1, 0.5 }, { 0.5, 1 } }), axis: 0), [0.75, 0.25, 0.25, 0.75]);
    }

    [Test]
    public void EveryKerasActivationIsAnAlias()
    {
        string[] keras =
        [
            "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
            "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink",
            "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
        ];
        foreach (var a in keras) Assert.That(Sharpkeras.Activations.Aliases, Does.Contain(a));
        // Aliases use Keras's defaults.
        Close(Sharpkeras.Activations.Get("leaky_relu")(X(-1)), [-0.2]);
        Close(Sharpkeras.Activations.Get("sparsemax")(X(1, 0.5, -1)), [0.75, 0.25, 0]);
        var e = Assert.Throws<ArgumentException>(() => Sharpkeras.Activations.Get("relu7"))!;
        Assert.That(e.Message, Does.Contain("celu, elu"));
    }
}
