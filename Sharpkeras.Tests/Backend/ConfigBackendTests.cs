using NUnit.Framework;
using TorchSharp;

namespace Sharpkeras.Tests.Core;

/// <summary>The backend and thread settings of <c>Keras.Config</c> (KerasConfig.Backend.cs).</summary>
[NonParallelizable]
public class ConfigBackendTests
{
    [Test]
    public void ConvolutionBackendTakesTheThreeNamesInAnyCase()
    {
        var saved = Keras.Config.ConvolutionBackend;
        try
        {
            Keras.Config.ConvolutionBackend = " ONEDNN ";
            Assert.That(Keras.Config.ConvolutionBackend, Is.EqualTo("onednn"));
            Keras.Config.ConvolutionBackend = "Native";
            Assert.That(Keras.Config.ConvolutionBackend, Is.EqualTo("native"));
            Keras.Config.ConvolutionBackend = "auto";
            Assert.That(Keras.Config.ConvolutionBackend, Is.EqualTo("auto"));
            var ex = Assert.Throws<ArgumentException>(() => Keras.Config.ConvolutionBackend = "mkl");
            Assert.That(ex!.Message, Does.Contain("ConvolutionBackend").And.Contain("'auto', 'onednn' or 'native'").And.Contain("'mkl'"));
            Assert.Throws<ArgumentNullException>(() => Keras.Config.ConvolutionBackend = null!);
        }
        finally { Keras.Config.ConvolutionBackend = saved; }
    }

    [Test]
    public void IntraOpThreadsSetsTorchThreads()
    {
        int saved = torch.get_num_threads();
        try
        {
            Keras.Config.IntraOpThreads = 1;
            Assert.That(torch.get_num_threads(), Is.EqualTo(1));
            Assert.That(Keras.Config.IntraOpThreads, Is.EqualTo(1));
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Keras.Config.IntraOpThreads = 0);
            Assert.That(ex!.Message, Does.Contain("IntraOpThreads").And.Contain("got 0"));
        }
        finally { Keras.Config.IntraOpThreads = saved; }
        Assert.That(torch.get_num_threads(), Is.EqualTo(saved));
    }

    [Test]
    public void InterOpThreadsValidatesAndReports()
    {
        Assert.That(Keras.Config.InterOpThreads, Is.EqualTo(torch.get_num_interop_threads()));
        Assert.That(Keras.Config.InterOpThreads, Is.GreaterThanOrEqualTo(1));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Keras.Config.InterOpThreads = -2);
        Assert.That(ex!.Message, Does.Contain("InterOpThreads").And.Contain("got -2"));
        // Setting the value it already has is always accepted.
        Keras.Config.InterOpThreads = Keras.Config.InterOpThreads;
    }
}
