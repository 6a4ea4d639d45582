using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Callbacks;

/// <summary>
/// ProgbarLogger against the text Keras 3's keras/src/utils/progbar.py writes, derived by hand from its
/// update(): counter "%{digits}d/%d", 20 '━', time left (truncated) while running and elapsed ("%.0f") at the end,
/// time per step from _estimate_step_duration (the first step left out), values sorted, "{:.4f}" or "{:.4e}".
/// A scripted clock makes the times exact.
/// </summary>
[NonParallelizable]
public class ProgbarLoggerTests
{
    [TearDown]
    public void TearDown() => Keras.Config.ProgressBarLiveUpdates = null;

    private static readonly double[] Times = [0.0, 1.0, 1.5, 2.0, 2.25];

    /// <summary>Runs one epoch of three batches the way Fit calls the callback: epoch begin at t=0, batches end at 1, 1.5, 2, epoch end at 2.25.</summary>
    private static string Run(ProgbarLogger p, int verbose, int epochs = 2, int? steps = 3)
    {
        p.SetParams(new Dictionary<string, object?> { ["epochs"] = epochs, ["steps"] = steps, ["verbose"] = verbose });
        p.OnTrainBegin(new Dictionary<string, double>());
        p.OnEpochBegin(0, new Dictionary<string, double>());
        var batchLogs = new[]
        {
            new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.25 },
            new Dictionary<string, double> { ["loss"] = 0.375, ["accuracy"] = 0.375 },
            new Dictionary<string, double> { ["loss"] = 0.25, ["accuracy"] = 0.5 },
        };
        for (int b = 0; b < 3; b++) p.OnTrainBatchEnd(b, batchLogs[b]);
        p.OnEpochEnd(0, new Dictionary<string, double>
        {
            ["loss"] = 0.25, ["accuracy"] = 0.5, ["val_loss"] = 0.0001234, ["val_accuracy"] = 0.5, ["learning_rate"] = 0.001,
        });
        return p.Writer!.ToString()!;
    }

    private static Func<double> Clock()
    {
        int i = 0;
        return () => Times[Math.Min(i++, Times.Length - 1)];
    }

    [Test]
    public void LiveBarRedrawsInPlaceLikeKeras()
    {
        var sw = new StringWriter();
        var text = Run(new ProgbarLogger(sw, interactive: true, clock: Clock()), verbose: 1);
        string bar = new('━', 20);
        // step 1 at 1.0 s: 1 s/step, 2 steps left → "2s"; step 2 at 1.5 s: (1.5-1.0)/1 = 500 ms, 0.5 s left → "0s";
        // step 3 at 2.0 s: (2.0-1.0)/2 = 500 ms; end at 2.25 s: (2.25-1.0)/2 = 625 ms/step, elapsed "2s".
        string l1 = $"1/3 {bar} 2s 1s/step - accuracy: 0.2500 - loss: 0.5000";
        string l2 = $"2/3 {bar} 0s 500ms/step - accuracy: 0.3750 - loss: 0.3750";
        string l3 = $"3/3 {bar} 0s 500ms/step - accuracy: 0.5000 - loss: 0.2500";
        string l4 = $"3/3 {bar} 2s 625ms/step - accuracy: 0.5000 - loss: 0.2500 - val_accuracy: 0.5000 - val_loss: 1.2340e-04";
        string expected = "Epoch 1/2" + Environment.NewLine
            + "\r" + l1
            + new string('\b', l1.Length) + "\r" + l2
            + new string('\b', l2.Length) + "\r" + l3
            + new string('\b', l3.Length) + "\r" + l4 + "\n";
        Assert.That(l2.Length, Is.EqualTo(l1.Length + 3));
        Assert.That(text, Is.EqualTo(expected));
    }

    [Test]
    public void ShorterRedrawIsPaddedWithSpaces()
    {
        // Keras pads a shorter line with spaces over the previous one: step 2 here is faster to print
        // (" 2s/step" after " 500ms/step").
        var sw = new StringWriter();
        int i = 0;
        double[] t = [0.0, 0.5, 2.5, 2.6];
        var p = new ProgbarLogger(sw, interactive: true, clock: () => t[Math.Min(i++, t.Length - 1)]);
        p.SetParams(new Dictionary<string, object?> { ["epochs"] = 1, ["steps"] = 2, ["verbose"] = 1 });
        p.OnEpochBegin(0, new Dictionary<string, double>());
        p.OnTrainBatchEnd(0, new Dictionary<string, double> { ["loss"] = 1 });
        p.OnTrainBatchEnd(1, new Dictionary<string, double> { ["loss"] = 1 });
        string bar = new('━', 20);
        string l1 = $"1/2 {bar} 0s 500ms/step - loss: 1.0000";   // ETA 0.5 s → "0s"
        string l2 = $"2/2 {bar} 0s 2s/step - loss: 1.0000";      // (2.5-0.5)/1 = 2 s/step
        Assert.That(sw.ToString(), Is.EqualTo("\r" + l1 + new string('\b', l1.Length) + "\r" + l2 + new string(' ', l1.Length - l2.Length)));
    }

    [Test]
    public void LiveBarUsesKerasColoursInATerminal()
    {
        var sw = new StringWriter();
        var text = Run(new ProgbarLogger(sw, interactive: true, clock: Clock()) { ForceColor = true }, verbose: 1);
        // 1/3: int(20 · 1/3) = 6 cells done (green, \33[32m), 14 to go (grey, \33[37m), counter and time bold.
        Assert.That(text, Does.Contain("\r\u001b[1m1/3\u001b[0m \u001b[32m━━━━━━\u001b[0m\u001b[37m━━━━━━━━━━━━━━\u001b[0m \u001b[1m2s\u001b[0m 1s/step - accuracy: 0.2500 - loss: 0.5000"));
        // at the end the grey part is empty but still written, as Keras writes it
        Assert.That(text, Does.Contain("\u001b[1m3/3\u001b[0m \u001b[32m━━━━━━━━━━━━━━━━━━━━\u001b[0m\u001b[37m\u001b[0m \u001b[1m2s\u001b[0m 625ms/step"));
    }

    [Test]
    public void RedirectedOutputPrintsOneKerasVerbose2LinePerEpoch()
    {
        var sw = new StringWriter();
        var text = Run(new ProgbarLogger(sw, interactive: false, clock: Clock()), verbose: 1);
        Assert.That(text, Is.EqualTo("Epoch 1/2" + Environment.NewLine
            + "3/3 - 2s - 625ms/step - accuracy: 0.5000 - loss: 0.2500 - val_accuracy: 0.5000 - val_loss: 1.2340e-04" + Environment.NewLine));
    }

    [Test]
    public void Verbose2TimesTheWholeEpochPerStep()
    {
        // Keras's verbose=2 only updates the bar at the end, so its per-step time includes the first step: 2.25 / 3 = 750 ms.
        // Clock reads: epoch begin (0.0), end (1.0).
        var sw = new StringWriter();
        int i = 0;
        double[] t = [0.0, 2.25];
        var text = Run(new ProgbarLogger(sw, interactive: true, clock: () => t[Math.Min(i++, 1)]), verbose: 2);
        Assert.That(text, Is.EqualTo("Epoch 1/2" + Environment.NewLine
            + "3/3 - 2s - 750ms/step - accuracy: 0.5000 - loss: 0.2500 - val_accuracy: 0.5000 - val_loss: 1.2340e-04" + Environment.NewLine));
    }

    [Test]
    public void OneEpochPrintsNoEpochLine()
    {
        var sw = new StringWriter();
        var text = Run(new ProgbarLogger(sw, interactive: false, clock: Clock()), verbose: 1, epochs: 1);
        Assert.That(text, Does.StartWith("3/3 - 2s"));
    }

    [Test]
    public void UnknownStepsCountUp()
    {
        var sw = new StringWriter();
        var text = Run(new ProgbarLogger(sw, interactive: true, clock: Clock()), verbose: 1, epochs: 1, steps: null);
        Assert.That(text, Does.StartWith("\r      1/Unknown 1s 1s/step - accuracy: 0.2500 - loss: 0.5000"));
        // the end fixes the target at the steps seen
        Assert.That(text, Does.EndWith($"\r3/3 {new string('━', 20)} 2s 625ms/step - accuracy: 0.5000 - loss: 0.2500 - val_accuracy: 0.5000 - val_loss: 1.2340e-04\n"));
    }

    [Test]
    public void ConfigSwitchForcesLiveUpdates()
    {
        Keras.Config.ProgressBarLiveUpdates = true;
        var live = Run(new ProgbarLogger(new StringWriter(), interactive: null, clock: Clock()), verbose: 1);
        Assert.That(live, Does.Contain("\r1/3 "));
        Keras.Config.ProgressBarLiveUpdates = false;
        var quiet = Run(new ProgbarLogger(new StringWriter(), interactive: null, clock: Clock()), verbose: 1);
        Assert.That(quiet, Does.Not.Contain("\r"));
    }

    [Test]
    public void DurationsAndValuesFormattedAsKeras()
    {
        Assert.That(ProgbarLogger.Eta(3725.9), Is.EqualTo("1:02:05"));
        Assert.That(ProgbarLogger.Eta(61.5), Is.EqualTo("1:01"));
        Assert.That(ProgbarLogger.Eta(60.0), Is.EqualTo("60s"));
        Assert.That(ProgbarLogger.Eta(59.9), Is.EqualTo("59s"));
        Assert.That(ProgbarLogger.FormatTime(0), Is.EqualTo(" 0s/step"));
        Assert.That(ProgbarLogger.FormatTime(2.5), Is.EqualTo(" 2s/step"), "Python rounds half to even");
        Assert.That(ProgbarLogger.FormatTime(0.0125), Is.EqualTo(" 12ms/step"));
        Assert.That(ProgbarLogger.FormatTime(0.0005), Is.EqualTo(" 500us/step"));
        Assert.That(ProgbarLogger.FormatValue(0.123456), Is.EqualTo("0.1235"));
        Assert.That(ProgbarLogger.FormatValue(-0.5), Is.EqualTo("-0.5000"));
        Assert.That(ProgbarLogger.FormatValue(0.001), Is.EqualTo("1.0000e-03"));
        Assert.That(ProgbarLogger.FormatValue(0), Is.EqualTo("0.0000e+00"));
    }

    [Test]
    public void EvaluateOutsideFitShowsItsOwnBar()
    {
        var model = new Sequential(new Dense(1, inputShape: [3]));
        model.Compile(optimizer: "sgd", loss: "mse");
        var sw = new StringWriter();
        model.Evaluate(torch.randn(8, 3), torch.randn(8, 1), batchSize: 4, verbose: 1, callbacks: [new ProgbarLogger(sw, interactive: false)]);
        Assert.That(sw.ToString(), Does.Match(@"^2/2 - \d+s - \d+(ms|us|s)/step - loss: \d+\.\d{4}\r?\n$"));
    }
}
