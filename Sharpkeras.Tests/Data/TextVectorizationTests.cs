using NUnit.Framework;
using Sharpkeras.Layers;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Data;

public class TextVectorizationTests
{
    private static long[][] Rows(Tensor t) =>
        Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].data<long>().ToArray()).ToArray();

    [Test]
    public void KerasDocExample()
    {
        // Keras docstring: adapt(["foo bar", "bar baz", "baz bada boom"]); counts bar 2, baz 2, foo 1, bada 1, boom 1.
        // Sorted by count, ties by token high-to-low: baz (2), bar (3), foo (4), boom (5), bada (6).
        // ["foo qux bar"] -> [4, 1, 3, 0]; ["qux baz"] -> [1, 2, 0, 0] (qux unknown = 1, padded to 4 with 0).
        var layer = new TextVectorization(maxTokens: 5000, outputSequenceLength: 4);
        layer.Adapt(["foo bar", "bar baz", "baz bada boom"]);
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new[] { "", "[UNK]", "baz", "bar", "foo", "boom", "bada" }));
        var t = layer.Vectorize(["foo qux bar", "qux baz"]);
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(Rows(t), Is.EqualTo(new long[][] { [4, 1, 3, 0], [1, 2, 0, 0] }));
    }

    [Test]
    public void KerasDocExampleWithGivenVocabulary()
    {
        var layer = new TextVectorization(maxTokens: 5000, outputSequenceLength: 4, vocabulary: ["earth", "wind", "and", "fire"]);
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new[] { "", "[UNK]", "earth", "wind", "and", "fire" }));
        Assert.That(layer.VocabularySize(), Is.EqualTo(6));
        Assert.That(Rows(layer.Vectorize(["Wind and FIRE, earth!"])), Is.EqualTo(new long[][] { [3, 4, 5, 2] }));
    }

    [Test]
    public void MaxTokensKeepsTheMostFrequent()
    {
        // the: 3, cat: 2, sat/dog/a: 1. maxTokens 4 leaves 4 - 2 = 2 learned tokens: "the", "cat".
        var layer = new TextVectorization(maxTokens: 4);
        layer.Adapt(["The cat sat.", "the dog", "a CAT, the end"]);
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new[] { "", "[UNK]", "the", "cat" }));
        Assert.That(layer.GetVocabulary(includeSpecialTokens: false), Is.EqualTo(new[] { "the", "cat" }));
        // No outputSequenceLength: padded to the longest text of the call (3 tokens).
        Assert.That(Rows(layer.Vectorize(["cat the dog", "the"])), Is.EqualTo(new long[][] { [3, 2, 1], [2, 0, 0] }));
    }

    [Test]
    public void StandardizeAndSplitOptions()
    {
        var lower = new TextVectorization(standardize: "lower");
        Assert.That(lower.Tokenize("Hello, World!"), Is.EqualTo(new[] { "hello,", "world!" }));
        var strip = new TextVectorization(standardize: "strip_punctuation");
        Assert.That(strip.Tokenize("Don't STOP-now"), Is.EqualTo(new[] { "Dont", "STOPnow" }));
        var none = new TextVectorization(standardize: null, split: null);
        Assert.That(none.Tokenize(" A b "), Is.EqualTo(new[] { " A b " }));
        var chars = new TextVectorization(split: "character");
        Assert.That(chars.Tokenize("Ab!"), Is.EqualTo(new[] { "a", "b" }));
        var full = new TextVectorization();
        Assert.That(full.Tokenize("  Tabs\tand\nnew-lines  "), Is.EqualTo(new[] { "tabs", "and", "newlines" }));
    }

    [Test]
    public void TruncatesToTheFirstTokens()
    {
        var layer = new TextVectorization(outputSequenceLength: 2, vocabulary: ["a", "b", "c"]);
        Assert.That(Rows(layer.Vectorize(["c b a", ""])), Is.EqualTo(new long[][] { [4, 3], [0, 0] }));
    }

    [Test]
    public void ErrorsAndConfig()
    {
        var layer = new TextVectorization(maxTokens: 10, outputSequenceLength: 3);
        Assert.Throws<InvalidOperationException>(() => layer.Vectorize(["x"]));
        Assert.Throws<InvalidOperationException>(() => layer.Call(zeros(2, 3), false));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new TextVectorization(maxTokens: 1))!.ParamName, Is.EqualTo("maxTokens"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TextVectorization(outputMode: "tf_idf"))!.ParamName, Is.EqualTo("outputMode"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TextVectorization(standardize: "upper"))!.ParamName, Is.EqualTo("standardize"));
        Assert.Throws<ArgumentException>(() => new TextVectorization(vocabulary: ["a", "a"]));
        Assert.Throws<ArgumentException>(() => new TextVectorization(maxTokens: 3, vocabulary: ["a", "b"]));
        layer.Adapt(["b a b"]);
        var config = layer.GetConfig();
        Assert.That(config["max_tokens"], Is.EqualTo(10));
        Assert.That(config["output_sequence_length"], Is.EqualTo(3));
        Assert.That(config["standardize"], Is.EqualTo("lower_and_strip_punctuation"));
        Assert.That(config["vocabulary"], Is.EqualTo(new[] { "b", "a" }));
        Assert.That(layer.ComputeOutputShape([null]), Is.EqualTo(new int?[] { null, 3 }));
    }
}
