using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersPreprocessing.PreprocessingTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

public class RandomAugmentationTests
{
    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    private static readonly float[] Row = [1f, 2f, 3f, 4f];

    /// <summary>One 1×4 single-channel image per sample: [1, 2, 3, 4].</summary>
    private static Tensor RowBatch(int n = 2) => Copies(T(Row, 1, 4, 1), n);

    [Test]
    public void RandomFlipHorizontalFlipsColumnsPerSample()
    {
        var img = T([1f, 2f], 1, 2, 1);   // a 1×2 image
        var batch = Copies(img, 32);
        var layer = new RandomFlip("horizontal", seed: 1);
        var y = layer.Apply(batch, training: true);
        Assert.That(y.shape, Is.EqualTo(batch.shape));
        int flipped = 0, kept = 0;
        for (int n = 0; n < 32; n++)
        {
            var v = Vals(y[n]);
            if (v.SequenceEqual(new[] { 2f, 1f })) flipped++;
            else if (v.SequenceEqual(new[] { 1f, 2f })) kept++;
            else Assert.Fail($"sample {n} is neither the image nor its mirror: [{string.Join(", ", v)}]");
        }
        Assert.That(flipped, Is.GreaterThan(0));
        Assert.That(kept, Is.GreaterThan(0));
        Assert.That(Vals(layer.Apply(batch)), Is.EqualTo(Vals(batch)), "inference is the identity");
        Assert.That(Vals(new RandomFlip("horizontal", seed: 1).Apply(batch, training: true)), Is.EqualTo(Vals(y)), "same seed, same flips");
    }

    [Test]
    public void RandomFlipVerticalAndBoth()
    {
        var img = T([1f, 2f, 3f, 4f], 2, 2, 1);
        var v = new RandomFlip("vertical", seed: 2).Apply(Copies(img, 32), training: true);
        var outs = Enumerable.Range(0, 32).Select(n => string.Join(",", Vals(v[n]))).Distinct().OrderBy(s => s).ToArray();
        Assert.That(outs, Is.EqualTo(new[] { "1,2,3,4", "3,4,1,2" }));
        // One coin per image flips both axes together (Keras): identity or a half turn.
        var both = new RandomFlip(seed: 3).Apply(Copies(img, 32), training: true);
        outs = Enumerable.Range(0, 32).Select(n => string.Join(",", Vals(both[n]))).Distinct().OrderBy(s => s).ToArray();
        Assert.That(outs, Is.EqualTo(new[] { "1,2,3,4", "4,3,2,1" }));
        // Unbatched (H, W, C) input and channels_first work.
        Assert.That(new RandomFlip(seed: 4).Apply(img, training: true).shape, Is.EqualTo(new long[] { 2, 2, 1 }));
        var cf = new RandomFlip("horizontal", seed: 5, dataFormat: "channels_first").Apply(Copies(T([1f, 2f], 1, 1, 2), 16), training: true);
        Assert.That(Enumerable.Range(0, 16).Select(n => string.Join(",", Vals(cf[n]))).Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public void RandomTranslationFillModesHandComputed()
    {
        // width factor (0.25, 0.25) on W = 4: dx = 1 column, so output(x) = input(x − 1).
        string[] modes = ["reflect", "wrap", "constant", "nearest"];
        float[][] expected = [[1, 1, 2, 3], [4, 1, 2, 3], [9, 1, 2, 3], [1, 1, 2, 3]];
        for (int i = 0; i < modes.Length; i++)
        {
            var layer = new RandomTranslation(0.0, (0.25, 0.25), fillMode: modes[i], fillValue: 9, seed: 1);
            var y = layer.Apply(RowBatch(), training: true);
            Assert.That(Vals(y[0]), Is.EqualTo(expected[i]).Within(1e-5), modes[i]);
        }
        // Half a pixel (dx = 0.125·4 = 0.5), bilinear: output(x) = input(x − ½).
        // reflect: in(−½) = in[0] = 1 (d c b a | a b c d); wrap: ½·in[3] + ½·in[0] = 2.5; constant 0: ½·0 + ½·1 = 0.5.
        float[][] half = [[1, 1.5f, 2.5f, 3.5f], [2.5f, 1.5f, 2.5f, 3.5f], [0.5f, 1.5f, 2.5f, 3.5f], [1, 1.5f, 2.5f, 3.5f]];
        for (int i = 0; i < modes.Length; i++)
        {
            var y = new RandomTranslation(0.0, (0.125, 0.125), fillMode: modes[i], seed: 1).Apply(RowBatch(), training: true);
            Assert.That(Vals(y[0]), Is.EqualTo(half[i]).Within(1e-5), modes[i]);
        }
        // Nearest interpolation rounds half to even like Keras: x − ½ = −½, ½, 3/2, 5/2 -> 0, 0, 2, 2.
        var near = new RandomTranslation(0.0, (0.125, 0.125), interpolation: "nearest", seed: 1).Apply(RowBatch(), training: true);
        Assert.That(Vals(near[0]), Is.EqualTo(new float[] { 1, 1, 3, 3 }));
        // Vertical: height factor (-0.5, -0.5) on H = 2 moves the content up one row.
        var col = Copies(T([1f, 2f], 2, 1, 1), 2);
        var up = new RandomTranslation((-0.5, -0.5), 0.0, fillMode: "constant", seed: 1).Apply(col, training: true);
        Assert.That(Vals(up[0]), Is.EqualTo(new float[] { 2, 0 }).Within(1e-5));
    }

    [Test]
    public void RandomZoomHandComputed()
    {
        var img = Copies(T([0f, 10f, 20f, 30f, 40f], 1, 5, 1), 2);
        // zx = 2 (zoom out): x' = 2x + 2·(1 − 2) = 2x − 2 -> in(−2), in(0), in(2), in(4), in(6); constant fill 0.
        var outZoom = new RandomZoom(0.0, (1.0, 1.0), fillMode: "constant", seed: 1).Apply(img, training: true);
        Assert.That(Vals(outZoom[0]), Is.EqualTo(new float[] { 0, 0, 20, 40, 0 }).Within(1e-4));
        // zx = 0.5 (zoom in): x' = x/2 + 1 -> in(1), in(1.5), in(2), in(2.5), in(3).
        var inZoom = new RandomZoom(0.0, (-0.5, -0.5), seed: 1).Apply(img, training: true);
        Assert.That(Vals(inZoom[0]), Is.EqualTo(new float[] { 10, 15, 20, 25, 30 }).Within(1e-4));
        // Without widthFactor both axes share the zoom: a 1×1 center pixel stays put on a 3×3 image.
        var sq = torch.arange(9, dtype: ScalarType.Float32).reshape(3, 3, 1);
        var z = new RandomZoom(0.5, seed: 9).Apply(Copies(sq, 8), training: true);
        Assert.That(Vals(z[TensorIndex.Colon, 1, 1, 0]), Is.All.EqualTo(4f).Within(1e-4));
        Assert.That(DistinctImages(z), Is.GreaterThan(1), "different zooms per sample");
    }

    [Test]
    public void RandomRotationQuarterAndHalfTurn()
    {
        var img = torch.arange(9, dtype: ScalarType.Float32).reshape(3, 3, 1);   // value = 3·row + col
        // factor (0.5, 0.5): 180°: output(r, c) = input(2 − r, 2 − c).
        var half = new RandomRotation((0.5, 0.5), seed: 1).Apply(Copies(img, 2), training: true);
        Assert.That(Vals(half[0]), Is.EqualTo(new float[] { 8, 7, 6, 5, 4, 3, 2, 1, 0 }).Within(1e-4));
        // factor (0.25, 0.25): 90°, cos = 0, sin = 1, center (1, 1): x' = −y + 2, y' = x -> output(r, c) = input(row c, col 2 − r).
        var quarter = new RandomRotation((0.25, 0.25), seed: 1).Apply(Copies(img, 2), training: true);
        var expected = new float[9];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                expected[r * 3 + c] = 3 * c + (2 - r);
        Assert.That(Vals(quarter[0]), Is.EqualTo(expected).Within(1e-4));
    }

    [Test]
    public void RandomRotationPerSampleVarietyAndSeed()
    {
        var img = torch.arange(25, dtype: ScalarType.Float32).reshape(5, 5, 1);
        var batch = Copies(img, 8);
        var layer = new RandomRotation(0.2, seed: 42);
        var y = layer.Apply(batch, training: true);
        Assert.That(y.shape, Is.EqualTo(batch.shape));
        Assert.That(DistinctImages(y), Is.EqualTo(8), "each sample gets its own angle");
        Assert.That(Vals(new RandomRotation(0.2, seed: 42).Apply(batch, training: true)), Is.EqualTo(Vals(y)).Within(1e-6));
        Assert.That(Vals(new RandomRotation(0.2, seed: 43).Apply(batch, training: true)), Is.Not.EqualTo(Vals(y)));
        Assert.That(Vals(layer.Apply(batch)), Is.EqualTo(Vals(batch)), "inference is the identity");
        // Rotation about the center keeps the center pixel.
        Assert.That(Vals(y[TensorIndex.Colon, 2, 2, 0]), Is.All.EqualTo(12f).Within(1e-3));
    }

    [Test]
    public void RandomContrastPerImageFactor()
    {
        var img = T([50f, 100f, 150f, 200f], 2, 2, 1);   // mean 125
        var batch = Copies(img, 16);
        var layer = new RandomContrast(0.5, seed: 7);
        var y = layer.Apply(batch, training: true);
        var factors = new List<double>();
        for (int n = 0; n < 16; n++)
        {
            var v = Vals(y[n]);
            double c = (v[0] - 125.0) / (50 - 125.0);
            Assert.That(c, Is.InRange(0.5, 1.5));
            for (int i = 0; i < 4; i++)
                Assert.That(v[i], Is.EqualTo((img.data<float>()[i] - 125) * c + 125).Within(1e-3), "(x − mean)·c + mean");
            factors.Add(c);
        }
        Assert.That(factors.Distinct().Count(), Is.EqualTo(16));
        Assert.That(factors.Min(), Is.LessThan(1.0), "contrast is also reduced: factors span [1 − f, 1 + f]");
        Assert.That(factors.Max(), Is.GreaterThan(1.0));
        Assert.That(Vals(layer.Apply(batch)), Is.EqualTo(Vals(batch)));
        // Clipped to the value range: c in [1, 2] pushes 0 and 255 outward, mean 127.5.
        var clip = new RandomContrast((0.0, 1.0), seed: 1).Apply(Copies(T([0f, 255f], 1, 2, 1), 4), training: true);
        Assert.That(Vals(clip), Is.EqualTo(new float[] { 0, 255, 0, 255, 0, 255, 0, 255 }).Within(1e-3));
        // Per channel mean: channel 1 constant stays constant.
        var two = new RandomContrast(0.9, seed: 2).Apply(Copies(T([10f, 5f, 30f, 5f], 1, 2, 2), 3), training: true);
        Assert.That(Vals(two[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Colon, 1]), Is.All.EqualTo(5f).Within(1e-4));
    }

    [Test]
    public void RandomBrightnessAddsOneDeltaPerImage()
    {
        var img = T([100f, 120f, 140f, 160f], 2, 2, 1);
        var batch = Copies(img, 16);
        var layer = new RandomBrightness(0.2, seed: 3);
        var y = layer.Apply(batch, training: true);
        var deltas = new List<float>();
        for (int n = 0; n < 16; n++)
        {
            var v = Vals(y[n]);
            float d = v[0] - 100f;
            Assert.That(d, Is.InRange(-0.2 * 255 - 1e-3, 0.2 * 255 + 1e-3));   // delta = u·(255 − 0), u in [−0.2, 0.2]
            Assert.That(v, Is.EqualTo(new[] { 100 + d, 120 + d, 140 + d, 160 + d }).Within(1e-3));
            deltas.Add(d);
        }
        Assert.That(deltas.Distinct().Count(), Is.EqualTo(16));
        Assert.That(deltas.Min(), Is.LessThan(0));
        Assert.That(deltas.Max(), Is.GreaterThan(0));
        // Clipping to valueRange (0, 1): factor (1, 1) adds a full range.
        var clipped = new RandomBrightness((1.0, 1.0), valueRange: (0, 1), seed: 1).Apply(Copies(T([0f, 0.5f], 1, 2, 1), 2), training: true);
        Assert.That(Vals(clipped), Is.All.EqualTo(1f));
        Assert.That(Vals(layer.Apply(batch)), Is.EqualTo(Vals(batch)));
    }

    [Test]
    public void AugmentationInsideSequentialTrainsAndIsIdentityAtPredict()
    {
        Keras.Config.Seed(7);
        var model = new Sequential(
            new RandomFlip("horizontal", inputShape: [6, 6, 1]),
            new RandomRotation(0.1),
            new RandomZoom(0.1),
            new RandomTranslation(0.1, 0.1),
            new RandomContrast(0.2),
            new RandomBrightness(0.1),
            new Rescaling(1.0 / 255),
            new Flatten(),
            new Dense(2, activation: "softmax"));
        Assert.That(model.OutputShape, Is.EqualTo(new int?[] { null, 2 }));
        var x = torch.rand(new long[] { 16, 6, 6, 1 }) * 255;
        var yLabels = torch.randint(0, 2, [16], dtype: ScalarType.Int64);
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        var history = model.Fit(x, yLabels, batchSize: 8, epochs: 1, verbose: 0);
        Assert.That(history["loss"].Count, Is.EqualTo(1));
        Assert.That(double.IsFinite(history["loss"][0]));
        var p1 = model.Predict(x, verbose: 0);
        var p2 = model.Predict(x, verbose: 0);
        Assert.That(Vals(p1), Is.EqualTo(Vals(p2)), "augmentation is off at inference");
    }

    [Test]
    public void EagerApplyOnABatch()
    {
        var images = torch.rand(new long[] { 4, 8, 8, 3 }) * 255;
        var flipped = new RandomFlip("horizontal", seed: 11).Apply(images, training: true);
        Assert.That(flipped.shape, Is.EqualTo(images.shape));
        for (int n = 0; n < 4; n++)
        {
            bool same = Vals(flipped[n]).SequenceEqual(Vals(images[n]));
            bool mirror = Vals(flipped[n]).SequenceEqual(Vals(images[n].flip(1)));
            Assert.That(same || mirror, Is.True);
        }
        var rotated = new RandomRotation(0.1, seed: 1).Apply(images, training: true);
        Assert.That(rotated.shape, Is.EqualTo(images.shape));
        var zoomed = new RandomZoom((-0.2, 0.2), seed: 1).Apply(torch.zeros(3, 8, 8), training: true);   // unbatched (H, W, C)
        Assert.That(zoomed.shape, Is.EqualTo(new long[] { 3, 8, 8 }));
    }

    [Test]
    public void BadArgumentsThrowNamedExceptions()
    {
        Assert.That(() => new RandomFlip("diagonal"), Throws.ArgumentException.With.Property("ParamName").EqualTo("mode"));
        Assert.That(() => new RandomRotation(1.5), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("factor"));
        Assert.That(() => new RandomRotation((-0.1, 2.0)), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("factor"));
        Assert.That(() => new RandomRotation(0.1, fillMode: "mirror"), Throws.ArgumentException.With.Property("ParamName").EqualTo("fillMode"));
        Assert.That(() => new RandomRotation(0.1, interpolation: "bicubic"), Throws.ArgumentException.With.Property("ParamName").EqualTo("interpolation"));
        Assert.That(() => new RandomZoom(-1.0), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("heightFactor"));
        Assert.That(() => new RandomZoom(0.1, widthFactor: 1.5), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("widthFactor"));
        Assert.That(() => new RandomTranslation(0.1, -1.1), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("widthFactor"));
        Assert.That(() => new RandomContrast(-0.1), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("factor"));
        Assert.That(() => new RandomContrast(1.1), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("factor"));
        Assert.That(() => new RandomBrightness(1.1), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("factor"));
        Assert.That(() => new RandomBrightness(0.1, valueRange: (1, 1)), Throws.ArgumentException.With.Property("ParamName").EqualTo("valueRange"));
        Assert.That(() => new RandomCrop(0, 2), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("height"));
        Assert.That(() => new RandomFlip(dataFormat: "nhwc"), Throws.ArgumentException.With.Property("ParamName").EqualTo("dataFormat"));
        Assert.That(() => new RandomFlip(name: "flip_a").Apply(torch.zeros(4, 4), training: true),
            Throws.ArgumentException.With.Message.Contains("flip_a").And.Message.Contains("(4, 4)"));
        var rot = new RandomRotation(0.1, name: "rot_a");
        rot.Apply(torch.zeros(2, 4, 4, 1), training: true);
        Assert.That(() => rot.Apply(torch.zeros(new long[] { 2, 1, 4, 4, 1 }), training: true),
            Throws.ArgumentException.With.Message.Contains("rot_a").And.Message.Contains("(2, 1, 4, 4, 1)"));
        Assert.That(() => new RandomContrast(0.1, name: "rc").Apply(Keras.Input([4])), Throws.ArgumentException.With.Message.Contains("rc"));
    }

    [Test]
    public void ConfigsUseKerasKeys()
    {
        var c = new RandomRotation((-0.1, 0.2), fillMode: "constant", seed: 3).GetConfig();
        Assert.That(c["factor"], Is.EqualTo(new[] { -0.1, 0.2 }));
        Assert.That(c["fill_mode"], Is.EqualTo("constant"));
        Assert.That(c["seed"], Is.EqualTo(3));
        Assert.That(c["data_format"], Is.EqualTo("channels_last"));
        Assert.That(new RandomZoom(0.2).GetConfig()["width_factor"], Is.Null);
        Assert.That(new RandomFlip().GetConfig()["mode"], Is.EqualTo("horizontal_and_vertical"));
        Assert.That(new RandomBrightness(0.3).GetConfig()["value_range"], Is.EqualTo(new[] { 0.0, 255.0 }));
    }
}
