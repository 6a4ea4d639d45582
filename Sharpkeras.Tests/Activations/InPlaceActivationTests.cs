using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>
/// Conv2D and Dense run tanh, sigmoid and relu in place on their own output: the values and every gradient must be
/// those of the activation applied out of place, computed here with plain torch ops.
/// </summary>
public class InPlaceActivationTests
{
    private static readonly Func<Tensor, Tensor>[] Reference = [x => x.tanh(), x => x.sigmoid(), x => x.relu()];

    [TestCase("tanh", 0)]
    [TestCase("sigmoid", 1)]
    [TestCase("relu", 2)]
    public void DenseMatchesOutOfPlaceValuesAndGradients(string activation, int reference)
    {
        torch.manual_seed(5);
        using var dense = new Dense(4, activation: activation);
        var x = torch.randn(3, 5).requires_grad_(true);
        dense.Apply(torch.zeros(1, 5));
        var k = dense.Variables[0].Value;
        var b = dense.Variables[1].Value;
        var y = dense.Apply(x, training: true);
        var upstream = torch.randn(3, 4);
        (y * upstream).sum().backward();
        var gx = x.grad!.clone();
        var gk = k.grad!.clone();
        x.grad = null; k.grad = null; b.grad = null;
        var expected = Reference[reference](torch.addmm(b, x, k, 1, 1));
        (expected * upstream).sum().backward();
        Assert.That(y.allclose(expected, rtol: 0, atol: 1e-7), Is.True);
        Assert.That(gx.allclose(x.grad!, rtol: 0, atol: 1e-6), Is.True, "input gradient");
        Assert.That(gk.allclose(k.grad!, rtol: 0, atol: 1e-6), Is.True, "kernel gradient");
        Assert.That(Sharpkeras.Activations.InPlace(Sharpkeras.Activations.Get(activation)), Is.Not.Null, "the in-place path is taken");
    }

    [TestCase("channels_last")]
    [TestCase("channels_first")]
    public void Conv2DTanhMatchesOutOfPlaceValuesAndGradients(string dataFormat)
    {
        torch.manual_seed(6);
        using var conv = new Conv2D(3, kernelSize: 3, activation: "tanh", padding: "same", dataFormat: dataFormat);
        bool last = dataFormat == "channels_last";
        var x = (last ? torch.randn(2, 6, 6, 2) : torch.randn(2, 2, 6, 6)).requires_grad_(true);
        var y = conv.Apply(x, training: true);
        var upstream = torch.randn(y.shape);
        (y * upstream).sum().backward();
        var gx = x.grad!.clone();
        var w = conv.Variables[0].Value;
        var gw = w.grad!.clone();
        x.grad = null; w.grad = null; conv.Variables[1].Value.grad = null;
        var xf = last ? x.permute(0, 3, 1, 2) : x;
        var c = nn.functional.conv2d(xf, w, conv.Variables[1].Value, padding: [1, 1]).tanh();
        var expected = last ? c.permute(0, 2, 3, 1) : c;
        (expected * upstream).sum().backward();
        Assert.That(y.allclose(expected, rtol: 0, atol: 1e-6), Is.True);
        Assert.That(gx.allclose(x.grad!, rtol: 0, atol: 1e-5), Is.True, "input gradient");
        Assert.That(gw.allclose(w.grad!, rtol: 0, atol: 1e-5), Is.True, "kernel gradient");
    }

    [Test]
    public void AnAliasRegisteredAgainHasNoInPlaceForm()
    {
        // A user may register "tanh" again; the layer must then call the user's function.
        Assert.That(Sharpkeras.Activations.InPlace(x => x.tanh()), Is.Null);
        Assert.That(Sharpkeras.Activations.InPlace(Sharpkeras.Activations.Get("softmax")), Is.Null);
        Assert.That(Sharpkeras.Activations.InPlace(Sharpkeras.Activations.Get("tanh")), Is.Not.Null);
    }
}
