using NUnit.Framework;
using Sharpkeras.Data;
using Sharpkeras.Layers;
using Sharpkeras.Tests.Data.Fixtures;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Data;

public class TextFromDirectoryTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        // aclImdb/train layout: neg/ and pos/ folders of id_rating.txt files.
        _dir = FileFixtures.TempDir("texts");
        for (int i = 0; i < 5; i++)
        {
            Directory.CreateDirectory(Path.Combine(_dir, "neg"));
            Directory.CreateDirectory(Path.Combine(_dir, "pos"));
            File.WriteAllText(Path.Combine(_dir, "neg", $"{i}_{i % 4 + 1}.txt"), $"negative review number {i}. Awful!<br />Bad.");
            File.WriteAllText(Path.Combine(_dir, "pos", $"{i}_{i % 4 + 7}.txt"), $"positive review number {i}. Great!");
        }
        File.WriteAllText(Path.Combine(_dir, "urls_pos.md"), "not a review");
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Test]
    public void YieldsTextsWithMatchingLabels()
    {
        var ds = Dataset.TextFromDirectory(_dir, batchSize: 4, seed: 3, verbose: false);
        Assert.That(ds.ClassNames, Is.EqualTo(new[] { "neg", "pos" }));
        Assert.That(ds.Cardinality, Is.EqualTo(3)); // ceil(10 / 4)
        var texts = new List<string>();
        foreach (var (batchTexts, labels) in ds)
        {
            Assert.That(labels.dtype, Is.EqualTo(ScalarType.Int64));
            var l = labels.data<long>().ToArray();
            Assert.That(l.Length, Is.EqualTo(batchTexts.Length));
            for (int i = 0; i < l.Length; i++)
                Assert.That(batchTexts[i], Does.StartWith(l[i] == 0 ? "negative" : "positive"));
            texts.AddRange(batchTexts);
        }
        Assert.That(texts.Count, Is.EqualTo(10));
        Assert.That(texts.Distinct().Count(), Is.EqualTo(10));
    }

    [Test]
    public void UnshuffledOrderIsSortedAndMaxLengthTruncates()
    {
        var ds = Dataset.TextFromDirectory(_dir, batchSize: 10, shuffle: false, maxLength: 8, verbose: false);
        var (texts, labels) = ds.Single();
        Assert.That(texts, Is.EqualTo(Enumerable.Repeat("negative", 5).Concat(Enumerable.Repeat("positive", 5))));
        Assert.That(labels.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }));
    }

    [Test]
    public void SplitsAndLabelModes()
    {
        var (train, val) = Dataset.TextFromDirectory(_dir, batchSize: 3, validationSplit: 0.2, subset: "both", seed: 5, verbose: false);
        // int(0.2 * 10) = 2 validation files.
        Assert.That(train.FilePaths.Count, Is.EqualTo(8));
        Assert.That(val.FilePaths.Count, Is.EqualTo(2));
        Assert.That(train.FilePaths.Intersect(val.FilePaths), Is.Empty);
        var binary = Dataset.TextFromDirectory(_dir, labelMode: "binary", batchSize: 10, shuffle: false, verbose: false).Single();
        Assert.That(binary.Labels.shape, Is.EqualTo(new long[] { 10, 1 }));
        Assert.That(binary.Labels.dtype, Is.EqualTo(ScalarType.Float32));
        var categorical = Dataset.TextFromDirectory(_dir, labelMode: "categorical", batchSize: 10, shuffle: false, verbose: false).Single();
        Assert.That(categorical.Labels.shape, Is.EqualTo(new long[] { 10, 2 }));
        Assert.Throws<ArgumentException>(() => Dataset.TextFromDirectory(_dir, labels: null!, verbose: false));
        Assert.Throws<ArgumentException>(() => Dataset.TextFromDirectory(_dir, validationSplit: 0.2, subset: "training", verbose: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.TextFromDirectory(_dir, batchSize: 0, verbose: false));
    }

    [Test]
    public void MapWithTextVectorizationFeedsFit()
    {
        Keras.Config.Seed(4);
        var ds = Dataset.TextFromDirectory(_dir, batchSize: 5, seed: 2, verbose: false);
        var vectorizer = new TextVectorization(maxTokens: 50, outputSequenceLength: 6,
            customStandardize: s => s.Replace("<br />", " "));
        vectorizer.Adapt(ds.SelectMany(b => b.Texts));
        Assert.That(vectorizer.GetVocabulary(), Does.Contain("awful").And.Contain("great").And.Not.Contain("br"));
        var tensors = ds.Map((texts, labels) => [vectorizer.Vectorize(texts).to(ScalarType.Float32), labels]).Prefetch(2);
        Assert.That(tensors.Cardinality, Is.EqualTo(2));
        var first = tensors.First();
        Assert.That(first[0].shape, Is.EqualTo(new long[] { 5, 6 }));
        var model = new Sequential(new Dense(8, activation: "relu", inputShape: [6]), new Dense(2, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        var history = model.Fit(tensors, epochs: 2, verbose: 0);
        Assert.That(history["loss"].Count, Is.EqualTo(2));
    }
}
