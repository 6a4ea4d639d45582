using System.Globalization;
using NUnit.Framework;
using Sharpkeras.Callbacks;
using TorchSharp;
using static Sharpkeras.Tests.Callbacks.CallbackTestUtil;

namespace Sharpkeras.Tests.Callbacks;

public class CSVLoggerTests
{
    [Test]
    public void WritesKerasColumnsAndValues()
    {
        var dir = TempDir();
        var path = Path.Combine(dir, "log.csv");
        var model = SmallModel(metrics: ["mae"]);
        var x = torch.rand(6, 2); var y = torch.rand(6, 1);
        var history = model.Fit(x, y, batchSize: 3, epochs: 3, verbose: 0, validationData: (x, y), callbacks: [new CSVLogger(path)]);

        var text = File.ReadAllText(path);
        var lines = text.Split("\r\n");
        Assert.That(lines[^1], Is.Empty);                      // every row ends with \r\n (Python's csv "excel" dialect)
        Assert.That(lines[0], Is.EqualTo("epoch,learning_rate,loss,mae,val_loss,val_mae"));  // epoch first, keys sorted
        Assert.That(lines.Length - 2, Is.EqualTo(3));
        string[] keys = ["learning_rate", "loss", "mae", "val_loss", "val_mae"];
        for (int e = 0; e < 3; e++)
        {
            var fields = lines[e + 1].Split(',');
            Assert.That(fields[0], Is.EqualTo(e.ToString(CultureInfo.InvariantCulture)));
            for (int k = 0; k < keys.Length; k++)
                Assert.That(double.Parse(fields[k + 1], CultureInfo.InvariantCulture), Is.EqualTo(history[keys[k]][e]), $"{keys[k]} at epoch {e}");
        }
        Assert.That(lines[1].Split(',')[1], Is.EqualTo("0.1"));  // Python's repr of the learning rate
        Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1)); // no temporary file left behind
    }

    [Test]
    public void WithoutValidationAddsValColumnsFilledWithNA()
    {
        var path = Path.Combine(TempDir(), "log.csv");
        var model = SmallModel();
        model.Fit(torch.rand(4, 2), torch.rand(4, 1), batchSize: 2, epochs: 2, verbose: 0, callbacks: [new CSVLogger(path, separator: ";")]);
        var lines = File.ReadAllText(path).Split("\r\n");
        Assert.That(lines[0], Is.EqualTo("epoch;learning_rate;loss;val_learning_rate;val_loss"));
        Assert.That(lines[1], Does.StartWith("0;0.1;"));
        Assert.That(lines[1], Does.EndWith(";NA;NA"));
        Assert.That(lines[2], Does.StartWith("1;0.1;"));
    }

    [Test]
    public void AppendKeepsTheFileAndWritesNoSecondHeader()
    {
        var path = Path.Combine(TempDir(), "log.csv");
        var model = SmallModel();
        var x = torch.rand(4, 2); var y = torch.rand(4, 1);
        model.Fit(x, y, batchSize: 2, epochs: 2, verbose: 0, callbacks: [new CSVLogger(path)]);
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, callbacks: [new CSVLogger(path, append: true)]);
        var lines = File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Count(l => l.StartsWith("epoch", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(lines.Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "epoch", "0", "1", "0" }));
        // without append the file starts over
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, callbacks: [new CSVLogger(path)]);
        Assert.That(File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2));
    }

    [Test]
    public void ACrashLeavesOnlyCompleteRows()
    {
        var path = Path.Combine(TempDir(), "log.csv");
        var model = SmallModel();
        var seen = new List<string>();
        var crash = new LambdaCallback(onEpochEnd: (epoch, _) =>
        {
            seen.Add(File.ReadAllText(path));           // what is on disk right after the row was written
            if (epoch == 1) throw new InvalidOperationException("simulated crash");
        });
        Assert.Throws<InvalidOperationException>(() =>
            model.Fit(torch.rand(4, 2), torch.rand(4, 1), batchSize: 2, epochs: 5, verbose: 0, callbacks: [new CSVLogger(path), crash]));
        for (int e = 0; e < seen.Count; e++)
        {
            Assert.That(seen[e], Does.EndWith("\r\n"));
            Assert.That(seen[e].Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(e + 2));
        }
        var final = File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(final, Has.Length.EqualTo(3));
        Assert.That(final.Skip(1).All(l => l.Split(',').Length == final[0].Split(',').Length));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentException>(() => new CSVLogger(""));
        Assert.That(Assert.Throws<ArgumentException>(() => new CSVLogger("a.csv", separator: ",,"))!.ParamName, Is.EqualTo("separator"));
    }

    [TestCase(0.1, "0.1")]
    [TestCase(1.0, "1.0")]
    [TestCase(100.0, "100.0")]
    [TestCase(1e-5, "1e-05")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00010000000000000002, "0.00010000000000000002")]
    [TestCase(1.5e16, "1.5e+16")]
    [TestCase(1234567890123456.0, "1234567890123456.0")]
    [TestCase(-2.5e-7, "-2.5e-07")]
    [TestCase(0.6931471805599453, "0.6931471805599453")]
    [TestCase(double.NaN, "nan")]
    [TestCase(double.PositiveInfinity, "inf")]
    [TestCase(0.0, "0.0")]
    public void NumbersArePrintedLikePython(double value, string python)
    {
        Assert.That(PythonFormat.Float(value), Is.EqualTo(python));
    }
}
