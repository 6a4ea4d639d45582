using NUnit.Framework;
using Sharpkeras.Data;
using Sharpkeras.Tests.Data.Fixtures;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Data;

public class ImageFromDirectoryTests
{
    private string _dir = "";

    // cats: 3 PNGs, red / green / blue; dogs: 3 BMPs, shades of gray. Different sizes, all resized.
    private static readonly (string Cls, string File, byte R, byte G, byte B)[] Images =
    [
        ("cats", "c1.png", 255, 0, 0), ("cats", "c2.png", 0, 255, 0), ("cats", "c3.png", 0, 0, 255),
        ("dogs", "d1.bmp", 10, 10, 10), ("dogs", "d2.bmp", 20, 20, 20), ("dogs", "d3.bmp", 30, 30, 30),
    ];

    [SetUp]
    public void SetUp()
    {
        _dir = FileFixtures.TempDir("images");
        int k = 0;
        foreach (var (cls, file, r, g, b) in Images)
        {
            Directory.CreateDirectory(Path.Combine(_dir, cls));
            int w = 5 + k, h = 4 + k % 3;
            k++;
            var path = Path.Combine(_dir, cls, file);
            if (file.EndsWith(".png")) FileFixtures.WritePng(path, w, h, FileFixtures.Solid(w, h, r, g, b));
            else FileFixtures.WriteBmp(path, w, h, FileFixtures.Solid(w, h, r, g, b));
        }
        File.WriteAllText(Path.Combine(_dir, "cats", "notes.txt"), "ignored: not an image");
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    /// <summary>Maps each yielded image (solid colour) back to its file via the colour.</summary>
    private static List<(byte R, byte G, byte B, long Label)> Read(Dataset ds)
    {
        var r = new List<(byte, byte, byte, long)>();
        foreach (var batch in ds)
        {
            var images = batch[0];
            var labels = batch[1].data<long>().ToArray();
            for (int i = 0; i < labels.Length; i++)
            {
                var px = images[i, 0, 0].data<float>().ToArray();
                r.Add(((byte)Math.Round(px[0]), (byte)Math.Round(px[1]), (byte)Math.Round(px[2]), labels[i]));
            }
        }
        return r;
    }

    [Test]
    public void YieldsResizedFloatImagesWithLabelsFromSortedClassFolders()
    {
        var ds = Dataset.ImageFromDirectory(_dir, imageSize: (8, 6), batchSize: 4, shuffle: false, verbose: false);
        Assert.That(ds.ClassNames, Is.EqualTo(new[] { "cats", "dogs" }));
        Assert.That(ds.Cardinality, Is.EqualTo(2)); // ceil(6 / 4)
        var batches = ds.ToList();
        Assert.That(batches[0][0].shape, Is.EqualTo(new long[] { 4, 8, 6, 3 }));
        Assert.That(batches[0][0].dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(batches[1][0].shape, Is.EqualTo(new long[] { 2, 8, 6, 3 }));
        Assert.That(batches[0][1].dtype, Is.EqualTo(ScalarType.Int64));
        // Unshuffled: sorted paths, cats (0) then dogs (1). A solid colour stays exactly that colour after resizing.
        var got = Read(ds);
        Assert.That(got, Is.EqualTo(Images.Select(i => (i.R, i.G, i.B, i.Cls == "cats" ? 0L : 1L))));
        var all = batches[0][0];
        Assert.That(all.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(all.max().item<float>(), Is.EqualTo(255f).Within(1e-3));
    }

    [Test]
    public void BilinearResizeUsesHalfPixelCenters()
    {
        var dir = FileFixtures.TempDir("resize");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "a"));
            // A 2x1 image: gray 0 then gray 100, resized to width 4. Half-pixel centers: source x = (i + 0.5) / 2 - 0.5
            // = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1 -> 0, 25, 75, 100.
            FileFixtures.WritePng(Path.Combine(dir, "a", "x.png"), 2, 1, [0, 0, 0, 100, 100, 100]);
            var batch = Dataset.ImageFromDirectory(dir, imageSize: (1, 4), batchSize: 1, shuffle: false, verbose: false).Single();
            var row = batch[0][0, 0, .., 0].data<float>().ToArray();
            Assert.That(row, Is.EqualTo(new float[] { 0, 25, 75, 100 }).Within(1e-4));
            // nearest (half-pixel): source index floor((i + 0.5) / 2) = 0, 0, 1, 1.
            var nearest = Dataset.ImageFromDirectory(dir, imageSize: (1, 4), batchSize: 1, shuffle: false, interpolation: "nearest", verbose: false).Single();
            Assert.That(nearest[0][0, 0, .., 0].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 100, 100 }));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void ValidationSplitIsDeterministicAndDisjoint()
    {
        var train = Dataset.ImageFromDirectory(_dir, imageSize: (4, 4), batchSize: 2, validationSplit: 0.5, subset: "training", seed: 9, verbose: false);
        var val = Dataset.ImageFromDirectory(_dir, imageSize: (4, 4), batchSize: 2, validationSplit: 0.5, subset: "validation", seed: 9, verbose: false);
        // int(0.5 * 6) = 3 validation files, 3 training files.
        Assert.That(train.FilePaths!.Count, Is.EqualTo(3));
        Assert.That(val.FilePaths!.Count, Is.EqualTo(3));
        Assert.That(train.FilePaths.Intersect(val.FilePaths), Is.Empty);
        Assert.That(train.FilePaths.Concat(val.FilePaths).Select(Path.GetFileName).OrderBy(f => f),
            Is.EqualTo(Images.Select(i => i.File).OrderBy(f => f)));
        var again = Dataset.ImageFromDirectory(_dir, imageSize: (4, 4), batchSize: 2, validationSplit: 0.5, subset: "validation", seed: 9, verbose: false);
        Assert.That(again.FilePaths, Is.EqualTo(val.FilePaths));
        // Labels match the folders of the files actually yielded.
        foreach (var (r, g, b, label) in Read(train))
        {
            var src = Images.Single(i => i.R == r && i.G == g && i.B == b);
            Assert.That(label, Is.EqualTo(src.Cls == "cats" ? 0 : 1));
        }
        var (t2, v2) = Dataset.ImageFromDirectory(_dir, imageSize: (4, 4), batchSize: 2, validationSplit: 0.5, subset: "both", seed: 9, verbose: false);
        Assert.That(t2.FilePaths, Is.EqualTo(train.FilePaths));
        Assert.That(v2.FilePaths, Is.EqualTo(val.FilePaths));
        Assert.Throws<InvalidOperationException>(() => Dataset.ImageFromDirectory(_dir, validationSplit: 0.5, subset: "both", seed: 9, verbose: false).GetEnumerator().MoveNext());
    }

    [Test]
    public void ShuffledEpochsDifferButCoverAllFiles()
    {
        var ds = Dataset.ImageFromDirectory(_dir, imageSize: (4, 4), batchSize: 6, seed: 1, verbose: false);
        var epochs = Enumerable.Range(0, 4).Select(_ => Read(ds)).ToList();
        foreach (var e in epochs) Assert.That(e.OrderBy(v => v), Is.EqualTo(Images.Select(i => (i.R, i.G, i.B, i.Cls == "cats" ? 0L : 1L)).OrderBy(v => v)));
        Assert.That(epochs.Skip(1).Any(e => !e.SequenceEqual(epochs[0])), Is.True, "reshuffled across epochs");
    }

    [Test]
    public void LabelModesColorModesAndNoLabels()
    {
        var cat = Dataset.ImageFromDirectory(_dir, labelMode: "categorical", imageSize: (2, 2), batchSize: 6, shuffle: false, verbose: false).Single();
        Assert.That(cat[1].shape, Is.EqualTo(new long[] { 6, 2 }));
        Assert.That(cat[1].data<float>().ToArray(), Is.EqualTo(new float[] { 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1 }));
        var bin = Dataset.ImageFromDirectory(_dir, labelMode: "binary", imageSize: (2, 2), batchSize: 6, shuffle: false, verbose: false).Single();
        Assert.That(bin[1].shape, Is.EqualTo(new long[] { 6, 1 }));
        Assert.That(bin[1].dtype, Is.EqualTo(ScalarType.Float32));
        var gray = Dataset.ImageFromDirectory(_dir, colorMode: "grayscale", imageSize: (3, 3), batchSize: 6, shuffle: false, verbose: false).Single();
        Assert.That(gray[0].shape, Is.EqualTo(new long[] { 6, 3, 3, 1 }));
        Assert.That(gray[0][4, 0, 0, 0].item<float>(), Is.EqualTo(20f).Within(1e-3), "a gray pixel keeps its value in grayscale");
        var first = Dataset.ImageFromDirectory(_dir, dataFormat: "channels_first", imageSize: (3, 5), batchSize: 2, shuffle: false, verbose: false).First();
        Assert.That(first[0].shape, Is.EqualTo(new long[] { 2, 3, 3, 5 }));
        var unlabeled = Dataset.ImageFromDirectory(_dir, labels: null, imageSize: (2, 2), batchSize: 3, shuffle: false, verbose: false).First();
        Assert.That(unlabeled.Length, Is.EqualTo(1));
        var single = Dataset.ImageFromDirectory(_dir, imageSize: (2, 2), batchSize: null, shuffle: false, verbose: false).First();
        Assert.That(single[0].shape, Is.EqualTo(new long[] { 2, 2, 3 }));
        Assert.That(single[1].shape, Is.Empty);
        var explicitLabels = Dataset.ImageFromDirectory(_dir, labels: new[] { 5, 5, 5, 7, 7, 7 }, imageSize: (2, 2), batchSize: 6, shuffle: false, verbose: false);
        Assert.That(explicitLabels.ClassNames, Is.EqualTo(new[] { "5", "7" }));
        Assert.That(explicitLabels.Single()[1].data<long>().ToArray(), Is.EqualTo(new long[] { 5, 5, 5, 7, 7, 7 }));
    }

    [Test]
    public void BadArgumentsAndFilesThrow()
    {
        Assert.Throws<DirectoryNotFoundException>(() => Dataset.ImageFromDirectory(Path.Combine(_dir, "nope"), verbose: false));
        Assert.That(Assert.Throws<ArgumentException>(() => Dataset.ImageFromDirectory(_dir, validationSplit: 0.2, subset: "training", verbose: false))!.ParamName, Is.EqualTo("seed"));
        Assert.That(Assert.Throws<ArgumentException>(() => Dataset.ImageFromDirectory(_dir, interpolation: "lanczos3", verbose: false))!.ParamName, Is.EqualTo("interpolation"));
        Assert.That(Assert.Throws<ArgumentException>(() => Dataset.ImageFromDirectory(_dir, colorMode: "cmyk", verbose: false))!.ParamName, Is.EqualTo("colorMode"));
        Assert.That(Assert.Throws<ArgumentException>(() => Dataset.ImageFromDirectory(_dir, labelMode: "sparse", verbose: false))!.ParamName, Is.EqualTo("labelMode"));
        Assert.Throws<ArgumentException>(() => Dataset.ImageFromDirectory(_dir, classNames: ["cats", "wolves"], verbose: false));
        Assert.Throws<ArgumentException>(() => Dataset.ImageFromDirectory(_dir, imageSize: (0, 4), verbose: false));
        File.WriteAllBytes(Path.Combine(_dir, "dogs", "zz_broken.png"), [1, 2, 3, 4, 5]);
        var ds = Dataset.ImageFromDirectory(_dir, imageSize: (2, 2), batchSize: 7, shuffle: false, verbose: false);
        var ex = Assert.Throws<InvalidDataException>(() => ds.ToList());
        Assert.That(ex!.Message, Does.Contain("zz_broken.png"));
    }

    [Test]
    public void PrintsWhatItFoundLikeKeras()
    {
        var old = Console.Out;
        var sw = new StringWriter();
        Console.SetOut(sw);
        try
        {
            Dataset.ImageFromDirectory(_dir, validationSplit: 0.5, subset: "training", seed: 1);
        }
        finally
        {
            Console.SetOut(old);
        }
        Assert.That(sw.ToString(), Does.Contain("Found 6 files belonging to 2 classes.").And.Contain("Using 3 files for training."));
    }
}
