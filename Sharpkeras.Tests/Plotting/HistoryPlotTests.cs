using NUnit.Framework;
using Sharpkeras.Layers;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Plotting;

public class HistoryPlotTests
{
    private static string OutDir => Path.Combine(TestContext.CurrentContext.WorkDirectory, "plots");

    /// <summary>A History filled the way Fit fills it (OnEpochEnd with Keras's log keys).</summary>
    private static History Recorded(int epochs, bool validation = true, bool lrChanges = false)
    {
        var h = new History();
        h.SetModel(new Sequential([new Dense(1, inputShape: [2])], name: "tiny_net"));
        for (int e = 0; e < epochs; e++)
        {
            var logs = new Dictionary<string, double>
            {
                ["accuracy"] = 0.5 + 0.4 * (1 - Math.Exp(-e / 3.0)),
                ["loss"] = 1.2 * Math.Exp(-e / 4.0) + 0.1,
                ["learning_rate"] = lrChanges ? 1e-3 * Math.Pow(0.5, e) : 1e-3,
            };
            if (validation)
            {
                logs["val_accuracy"] = 0.48 + 0.38 * (1 - Math.Exp(-e / 3.0));
                logs["val_loss"] = 1.25 * Math.Exp(-e / 4.5) + 0.15;
            }
            h.OnEpochEnd(e, logs);
        }
        return h;
    }

    [Test]
    public void PanelsAreLossFirstThenMetricsWithTheirValidation()
    {
        var panels = HistoryPlot.Panels(Recorded(3));
        Assert.That(panels.Select(p => p.Quantity), Is.EqualTo(new[] { "loss", "accuracy" }), "a constant learning rate gets no panel");
        Assert.That(panels[0], Is.EqualTo(new HistoryPlot.Panel("loss", "loss", "val_loss")));
        Assert.That(panels[1], Is.EqualTo(new HistoryPlot.Panel("accuracy", "accuracy", "val_accuracy")));
        Assert.That(HistoryPlot.Panels(Recorded(3, lrChanges: true)).Select(p => p.Quantity),
            Is.EqualTo(new[] { "loss", "accuracy", "learning_rate" }));
        Assert.That(HistoryPlot.Panels(Recorded(2, validation: false))[0], Is.EqualTo(new HistoryPlot.Panel("loss", "loss", null)));
    }

    [Test]
    public void EpochTicksAreWholeNumbers()
    {
        Assert.That(HistoryPlot.EpochTicks(1), Is.EqualTo(new double[] { 1 }));
        Assert.That(HistoryPlot.EpochTicks(5), Is.EqualTo(new double[] { 1, 2, 3, 4, 5 }));
        Assert.That(HistoryPlot.EpochTicks(15), Is.EqualTo(new double[] { 2, 4, 6, 8, 10, 12, 14 }));
        Assert.That(HistoryPlot.EpochTicks(50), Is.EqualTo(new double[] { 1, 10, 20, 30, 40, 50 }));
        Assert.That(HistoryPlot.EpochTicks(200).All(t => t == Math.Floor(t)), Is.True);
    }

    [Test]
    public void WritesPngWithBothColoursAndTheRequestedSize()
    {
        var path = Path.Combine(OutDir, "history.png");
        var written = Recorded(15).Plot(path);
        Assert.That(written, Is.EqualTo(Path.GetFullPath(path)));
        using var bmp = SKBitmap.Decode(path);
        Assert.That((bmp.Width, bmp.Height), Is.EqualTo((840, 420)), "two panels of 420 px");
        bool Has(SKColor c) => Enumerable.Range(0, bmp.Width).Any(x => Enumerable.Range(0, bmp.Height).Any(y => bmp.GetPixel(x, y) == c));
        Assert.That(Has(new SKColor(0x1f, 0x77, 0xb4)), Is.True, "training colour");
        Assert.That(Has(new SKColor(0xff, 0x7f, 0x0e)), Is.True, "validation colour");
        Assert.That(Directory.GetFiles(OutDir, "*.tmp"), Is.Empty, "no temporary file left");
    }

    [Test]
    public void WritesSvgWithTitleAndPanels()
    {
        var path = Path.Combine(OutDir, "history.svg");
        Recorded(4, lrChanges: true).Plot(path, subtitle: "synthetic data", width: 1200, height: 400);
        var svg = File.ReadAllText(path);
        Assert.That(svg, Does.StartWith("<?xml").Or.StartWith("<svg"));
        Assert.That(svg, Does.Contain("width=\"1200\"").And.Contain("height=\"400\""));
        // SkiaSharp's SVG canvas writes each text run as <text> with its characters.
        Assert.That(svg, Does.Contain("Training history: tiny_net — synthetic data").Or.Contain("tiny_net"));
        Assert.That(svg, Does.Contain("learning rate"));
    }

    [Test]
    public void RealFitHistoryPlots()
    {
        var model = new Sequential([new Dense(4, activation: "relu", inputShape: [3]), new Dense(1)], name: "fit_net");
        model.Compile(optimizer: "adam", loss: "mse", metrics: ["mae"]);
        var x = torch.rand(32, 3);
        var h = model.Fit(x, x.sum([1L], keepdim: true), batchSize: 8, epochs: 3, verbose: 0, validationSplit: 0.25);
        var path = h.Plot(Path.Combine(OutDir, "fit.png"));
        Assert.That(new FileInfo(path).Length, Is.GreaterThan(1000));
        Assert.That(HistoryPlot.Panels(h).Select(p => p.Quantity), Is.EqualTo(new[] { "loss", "mae" }));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        var h = Recorded(2);
        Assert.That(Assert.Throws<ArgumentException>(() => h.Plot(Path.Combine(OutDir, "x.jpg")))!.ParamName, Is.EqualTo("path"));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Plot(Path.Combine(OutDir, "x.png"), width: 0));
        Assert.That(Assert.Throws<ArgumentException>(() => new History().Plot(Path.Combine(OutDir, "e.png")))!.ParamName, Is.EqualTo("history"));
    }
}
