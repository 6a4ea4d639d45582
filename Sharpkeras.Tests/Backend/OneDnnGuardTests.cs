using NUnit.Framework;
using Sharpkeras.Engine;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>
/// The oneDNN known-answer self-test (it passes on libtorch's kernels in both modes and catches wrong outputs and
/// gradients) and the <c>Keras.Config.ConvolutionBackend</c> switch that applies it.
/// </summary>
[NonParallelizable]
public class OneDnnGuardTests
{
    private string _saved = "auto";

    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        _saved = Keras.Config.ConvolutionBackend;
    }

    [TearDown]
    public void TearDown()
    {
        OneDnnGuard.SelfTest = () => OneDnnSelfTest.Run();
        OneDnnGuard.ResetForTests();
        Keras.Config.ConvolutionBackend = _saved;
        OneDnnGuard.Apply();
    }

    private static void RunConv()
    {
        using var scope = torch.NewDisposeScope();
        var conv = new Conv2D(2, 3);
        conv.Apply(torch.ones(2, 5, 5, 1));
    }

    [TestCase("native")]
    [TestCase("onednn")]
    public void SelfTestPassesOnLibtorchKernels(string backend)
    {
        Keras.Config.ConvolutionBackend = backend;
        OneDnnGuard.Apply();
        Assert.That(OneDnnGuard.OneDnnFlag(), Is.EqualTo(backend == "onednn"));
        Assert.That(OneDnnSelfTest.Run(), Is.Null);
    }

    [Test]
    public void SelfTestCatchesAWrongOutputCell()
    {
        // One output cell off by one: the first case fails and the message names the configuration and the cell.
        OneDnnSelfTest.ConvFn offByOne = (rank, x, w, b, s, p, d, g) =>
        {
            var y = OneDnnSelfTest.TorchConv(rank, x, w, b, s, p, d, g);
            return y + torch.arange(y.numel()).eq(3).reshape(y.shape).to(ScalarType.Float32);
        };
        var message = OneDnnSelfTest.Run(offByOne);
        Assert.That(message, Does.StartWith("conv1d, contiguous float32 input, batch 2, 2→3 channels, length 9, kernel 3, stride 1, padding 1"));
        Assert.That(message, Does.Contain("output at [0, 0, 3] is"));
    }

    [Test]
    public void SelfTestCatchesWrongInputGradient()
    {
        // The output is right but no gradient reaches the input through the convolution.
        OneDnnSelfTest.ConvFn noInputGrad = (rank, x, w, b, s, p, d, g) =>
            OneDnnSelfTest.TorchConv(rank, x.detach(), w, b, s, p, d, g) + x.sum() * 0;
        Assert.That(OneDnnSelfTest.Run(noInputGrad), Does.Contain("input gradient at [").And.Contain("is 0, expected"));
    }

    [Test]
    public void SelfTestCatchesWrongWeightGradient()
    {
        OneDnnSelfTest.ConvFn doubledWeightGrad = (rank, x, w, b, s, p, d, g) =>
            OneDnnSelfTest.TorchConv(rank, x, w, b, s, p, d, g) + OneDnnSelfTest.TorchConv(rank, x.detach(), w, b, s, p, d, g)
            - OneDnnSelfTest.TorchConv(rank, x.detach(), w.detach(), b, s, p, d, g);
        Assert.That(OneDnnSelfTest.Run(doubledWeightGrad), Does.StartWith("conv1d").And.Contain("weight gradient at ["));
    }

    [Test]
    public void SelfTestCatchesWrongChannelsLastRead()
    {
        // A convolution that reads a channels_last-strided input as if it were contiguous: the contiguous cases
        // pass, the first channels_last one fails.
        OneDnnSelfTest.ConvFn ignoresStrides = (rank, x, w, b, s, p, d, g) =>
            OneDnnSelfTest.TorchConv(rank, x.is_contiguous() ? x : x.permute(rank == 1 ? [0, 2, 1] : [0, 2, 3, 1]).reshape(x.shape), w, b, s, p, d, g);
        var message = OneDnnSelfTest.Run(ignoresStrides);
        Assert.That(message, Does.StartWith("conv1d, channels_last-strided float32 input"));
    }

    [Test]
    public void AutoKeepsOneDnnWhenTheSelfTestPasses()
    {
        OneDnnGuard.ResetForTests();
        Keras.Config.ConvolutionBackend = "auto";
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try { RunConv(); }
        finally { Console.SetError(old); }
        Assert.That(Keras.Config.ConvolutionSelfTestFailure, Is.Null);
        Assert.That(Keras.Config.ActiveConvolutionBackend, Is.EqualTo("onednn"));
        Assert.That(OneDnnGuard.OneDnnFlag(), Is.True);
        Assert.That(err.ToString(), Is.Empty);
    }

    [Test]
    public void AutoTurnsOneDnnOffOnceWhenTheSelfTestFails()
    {
        int runs = 0;
        OneDnnGuard.SelfTest = () =>
        {
            runs++;
            return OneDnnSelfTest.Run((rank, x, w, b, s, p, d, g) => OneDnnSelfTest.TorchConv(rank, x, w, b, s, p, d, g) * 2);
        };
        OneDnnGuard.ResetForTests();
        Keras.Config.ConvolutionBackend = "auto";
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            RunConv();
            RunConv();
            Keras.Config.ConvolutionBackend = "onednn";
            RunConv();
            Assert.That(OneDnnGuard.OneDnnFlag(), Is.True, "\"onednn\" keeps oneDNN without the self-test");
            Keras.Config.ConvolutionBackend = "auto";
            RunConv();
        }
        finally { Console.SetError(old); }
        Assert.That(runs, Is.EqualTo(1), "the self-test runs once per process");
        Assert.That(Keras.Config.ActiveConvolutionBackend, Is.EqualTo("native"));
        Assert.That(OneDnnGuard.OneDnnFlag(), Is.False);
        Assert.That(Keras.Config.ConvolutionSelfTestFailure, Does.StartWith("conv1d, contiguous float32 input").And.Contain("output at ["));
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "said once");
        Assert.That(lines[0], Does.Contain("failed its known-answer self-test").And.Contain("conv1d, contiguous float32 input, batch 2"));
    }

    [Test]
    public void SwitchTurnsOneDnnOnAndOff()
    {
        Keras.Config.ConvolutionBackend = "native";
        RunConv();
        Assert.That(OneDnnGuard.OneDnnFlag(), Is.False);
        Assert.That(OneDnnGuard.Disabled, Is.True);
        Assert.That(Keras.Config.ActiveConvolutionBackend, Is.EqualTo("native"));
        Keras.Config.ConvolutionBackend = "onednn";
        RunConv();
        Assert.That(OneDnnGuard.OneDnnFlag(), Is.True);
        Assert.That(OneDnnGuard.Disabled, Is.False);
        Assert.That(Keras.Config.ActiveConvolutionBackend, Is.EqualTo("onednn"));
    }

    [Test]
    public void BothBackendsGiveTheSameConvolution()
    {
        // A LeNet-sized channels_last convolution: forward and both gradients agree between the two backends.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var x = torch.randn(4, 12, 12, 3);
        var w = torch.randn(6, 3, 5, 5);
        (Tensor y, Tensor gx, Tensor gw) Run(string backend)
        {
            Keras.Config.ConvolutionBackend = backend;
            OneDnnGuard.Apply();
            var xx = x.clone().requires_grad_(true);
            var ww = w.clone().requires_grad_(true);
            var y = ConvUtils.Conv(2, xx.permute(0, 3, 1, 2), ww, null, [1, 1], [2, 2], [1, 1], 1);
            y.square().sum().backward();
            return (y.detach(), xx.grad!, ww.grad!);
        }
        var a = Run("native");
        var b = Run("onednn");
        Assert.That(a.y.allclose(b.y, rtol: 1e-4, atol: 1e-4), Is.True);
        Assert.That(a.gx.allclose(b.gx, rtol: 1e-4, atol: 1e-3), Is.True);
        Assert.That(a.gw.allclose(b.gw, rtol: 1e-4, atol: 1e-3), Is.True);
    }
}
