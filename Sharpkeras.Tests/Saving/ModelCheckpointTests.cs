using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

public class ModelCheckpointTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 21;

    private Tensor _x = null!, _y = null!, _vx = null!, _vy = null!;

    [SetUp]
    public void SetUp()
    {
        _x = torch.randn(20, 4);
        _y = torch.randint(0, 3, [20], dtype: ScalarType.Int64);
        _vx = torch.randn(10, 4);
        _vy = torch.randint(0, 3, [10], dtype: ScalarType.Int64);
    }

    private Sequential Compiled(double lr = 0.05)
    {
        var m = new Sequential(new Dense(8, activation: "relu", inputShape: [4]), new Dense(3, activation: "softmax"));
        m.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: lr), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    /// <summary>Records the weights at the end of each epoch (after the checkpoint callback ran).</summary>
    private sealed class WeightRecorder : Callback
    {
        public List<List<Tensor>> PerEpoch { get; } = new();
        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => PerEpoch.Add(Model!.GetWeights());
    }

    private static string Fmt4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    [Test]
    public void TemplateExpandsEpochOneBasedAndLogsAndEveryFileLoadsBack()
    {
        var model = Compiled();
        var rec = new WeightRecorder();
        var template = Path.Combine(Dir, "ckpt", "model.{epoch:02d}-{loss:.4f}-{val_accuracy:.2f}.skeras");
        var history = model.Fit(_x, _y, batchSize: 5, epochs: 3, verbose: 0, validationData: (_vx, _vy),
            callbacks: [new ModelCheckpoint(template, monitor: "val_loss"), rec]);
        var files = Directory.GetFiles(Path.Combine(Dir, "ckpt")).Select(Path.GetFileName).Order().ToList();
        var expected = Enumerable.Range(0, 3).Select(e =>
            $"model.{e + 1:00}-{Fmt4(history["loss"][e])}-{history["val_accuracy"][e].ToString("F2", CultureInfo.InvariantCulture)}.skeras").ToList();
        Assert.That(files, Is.EqualTo(expected));
        for (int e = 0; e < 3; e++)
        {
            var loaded = Model.Load(Path.Combine(Dir, "ckpt", expected[e]));
            AssertWeightsBitEqual(rec.PerEpoch[e], loaded.GetWeights());
            Assert.That(loaded.Optimizer!.Iterations, Is.EqualTo(4 * (e + 1)), "optimizer state saved with the model");
        }
    }

    [Test]
    public void SaveBestOnlyWritesOnlyImprovementsAndTheFileHoldsTheBestEpoch()
    {
        var model = Compiled(lr: 0.5); // a large step makes val_loss go up and down
        var rec = new WeightRecorder();
        var numbered = Path.Combine(Dir, "best.{epoch:02d}.skeras");
        var single = Path.Combine(Dir, "best.skeras");
        var history = model.Fit(_x, _y, batchSize: 5, epochs: 8, verbose: 0, validationData: (_vx, _vy),
            callbacks: [new ModelCheckpoint(numbered, saveBestOnly: true), new ModelCheckpoint(single, saveBestOnly: true), rec]);
        var val = history["val_loss"];
        // Epochs whose val_loss is below every earlier one (the first always counts: best starts unset).
        var improving = new List<int>();
        double best = double.PositiveInfinity;
        for (int e = 0; e < val.Count; e++)
            if (val[e] < best) { best = val[e]; improving.Add(e); }
        Assert.That(improving.Count, Is.LessThan(val.Count), "the test needs an epoch without improvement");
        var files = Directory.GetFiles(Dir, "best.*.skeras").Select(f => int.Parse(Regex.Match(f, @"best\.(\d+)\.skeras").Groups[1].Value) - 1).Order().ToList();
        Assert.That(files, Is.EqualTo(improving));
        int argmin = val.IndexOf(val.Min());
        AssertWeightsBitEqual(rec.PerEpoch[argmin], Model.Load(single).GetWeights());
    }

    [Test]
    public void ModeMaxAndInitialThreshold()
    {
        var model = Compiled();
        var path = Path.Combine(Dir, "acc.skeras");
        // val_accuracy can never exceed 1.0, so with this threshold nothing is ever saved.
        var cb = new ModelCheckpoint(path, monitor: "val_accuracy", saveBestOnly: true, mode: "max", initialValueThreshold: 1.0);
        model.Fit(_x, _y, batchSize: 5, epochs: 2, verbose: 0, validationData: (_vx, _vy), callbacks: [cb]);
        Assert.That(File.Exists(path), Is.False);
        Assert.That(cb.Best, Is.EqualTo(1.0));
        Assert.That(ModelCheckpoint.HigherIsBetter("val_accuracy"), Is.True);
        Assert.That(ModelCheckpoint.HigherIsBetter("val_loss"), Is.False);
        Assert.That(ModelCheckpoint.HigherIsBetter("dense_1_loss"), Is.False);
        Assert.That(ModelCheckpoint.HigherIsBetter("mae"), Is.False);
    }

    [Test]
    public void SaveWeightsOnlyWritesSafetensorsThatLoadBack()
    {
        var model = Compiled();
        var rec = new WeightRecorder();
        var path = Path.Combine(Dir, "w.{epoch}.safetensors");
        model.Fit(_x, _y, batchSize: 5, epochs: 2, verbose: 0, callbacks: [new ModelCheckpoint(path, saveWeightsOnly: true), rec]);
        var fresh = Compiled();
        fresh.LoadWeights(Path.Combine(Dir, "w.1.safetensors"));
        AssertWeightsBitEqual(rec.PerEpoch[0], fresh.GetWeights());
        fresh.LoadWeights(Path.Combine(Dir, "w.2.safetensors"));
        AssertWeightsBitEqual(rec.PerEpoch[1], fresh.GetWeights());
    }

    [Test]
    public void IntegerSaveFreqCountsBatchesAcrossEpochsLikeKeras()
    {
        var model = Compiled();
        // 20 samples / batch 4 = 5 batches per epoch. saveFreq 3: the count reaches 3 after epoch 1 batch 3,
        // then epoch 1 batches 4, 5 + epoch 2 batch 1 (Keras adds batch+1 when the batch index restarts),
        // then epoch 2 batches 2, 3, 4. Names are 1-based.
        var path = Path.Combine(Dir, "b-{epoch}-{batch}.skeras");
        model.Fit(_x, _y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, callbacks: [new ModelCheckpoint(path, saveFreq: 3)]);
        var names = Directory.GetFiles(Dir, "b-*.skeras").Select(Path.GetFileName).Order().ToList();
        Assert.That(names, Is.EqualTo(new[] { "b-1-3.skeras", "b-2-1.skeras", "b-2-4.skeras" }));
    }

    [Test]
    public void MissingMonitorWarnsOnceInKerasWordsAndStillSaves()
    {
        var model = Compiled();
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            var path = Path.Combine(Dir, "m.{epoch}.skeras");
            model.Fit(_x, _y, batchSize: 5, epochs: 3, verbose: 0, callbacks: [new ModelCheckpoint(path, monitor: "val_nope", saveBestOnly: true)]);
            Assert.That(Directory.GetFiles(Dir, "m.*.skeras").Length, Is.EqualTo(3));
        }
        finally { Console.SetError(old); }
        var text = err.ToString();
        Assert.That(Regex.Matches(text, "Can save best model only with val_nope available.").Count, Is.EqualTo(1));
    }

    [Test]
    public void UnknownModeWarnsAndFallsBackToAuto()
    {
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        ModelCheckpoint cb;
        try { cb = new ModelCheckpoint(Path.Combine(Dir, "x.skeras"), mode: "bogus"); }
        finally { Console.SetError(old); }
        Assert.That(err.ToString(), Does.Contain("ModelCheckpoint mode 'bogus' is unknown, fallback to auto mode."));
        Assert.That(cb.Mode, Is.EqualTo("auto"));
    }

    [Test]
    public void VerboseMessagesFollowKeras()
    {
        var model = Compiled();
        var output = new StringWriter();
        var old = Console.Out;
        Console.SetOut(output);
        try
        {
            model.Fit(_x, _y, batchSize: 5, epochs: 1, verbose: 0, validationData: (_vx, _vy),
                callbacks: [new ModelCheckpoint(Path.Combine(Dir, "v.skeras"), verbose: 1, saveBestOnly: true)]);
        }
        finally { Console.SetOut(old); }
        Assert.That(output.ToString(), Does.Match(@"Epoch 1: val_loss improved from None to \d+\.\d{5}, saving model to .*v\.skeras"));
    }

    [Test]
    public void UnwritableFolderFailsBeforeTraining()
    {
        var model = Compiled();
        var blocker = Path.Combine(Dir, "a-file");
        File.WriteAllText(blocker, "x");
        var before = model.GetWeights();
        var ex = Assert.Throws<IOException>(() => model.Fit(_x, _y, batchSize: 5, epochs: 1, verbose: 0,
            callbacks: [new ModelCheckpoint(Path.Combine(blocker, "sub", "m.skeras"))]))!;
        Assert.That(ex.Message, Does.Contain("ModelCheckpoint").And.Contain("cannot write"));
        AssertWeightsBitEqual(before, model.GetWeights());
    }

    [Test]
    public void MissingTemplateKeyFailsLikeKeras()
    {
        var model = Compiled();
        var ex = Assert.Throws<KeyNotFoundException>(() => model.Fit(_x, _y, batchSize: 5, epochs: 1, verbose: 0,
            callbacks: [new ModelCheckpoint(Path.Combine(Dir, "{val_loss:.2f}.skeras"))]))!;
        Assert.That(ex.Message, Does.StartWith("Failed to format this callback filepath").And.Contain("'val_loss'"));
    }

    [Test]
    public void ConstructorValidatesArguments()
    {
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(Path.Combine(Dir, "m.h5")));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(Path.Combine(Dir, "m.skeras"), saveWeightsOnly: true));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(Path.Combine(Dir, "m.safetensors")));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(Path.Combine(Dir, "m.skeras"), saveFreq: "batch"));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(Path.Combine(Dir, "m.skeras"), saveFreq: 0));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(Path.Combine(Dir, "m-{epoch.skeras")));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(""));
        Assert.That(new ModelCheckpoint(Path.Combine(Dir, "m.skeras"), saveFreq: 7).SaveFreq, Is.EqualTo(7));
        Assert.That(new ModelCheckpoint(Path.Combine(Dir, "m.skeras")).SaveFreq, Is.EqualTo("epoch"));
    }
}
