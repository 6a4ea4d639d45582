using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class EmbeddingTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(13);
    }

    [Test]
    public void ShapesParamsAndDefaultUniformInitializer()
    {
        var emb = new Embedding(100, 8);
        Assert.That(emb.Apply(Keras.Input([10], dtype: ScalarType.Int64)).Shape, Is.EqualTo(new int?[] { null, 10, 8 }));
        // 100 · 8 = 800
        Assert.That(emb.CountParams(), Is.EqualTo(800));
        Assert.That(emb.Name, Is.EqualTo("embedding"));
        var w = Flat(emb.Embeddings.Value);
        // Keras's "uniform": RandomUniform(minval=-0.05, maxval=0.05)
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-0.05));
        Assert.That(w.Max(), Is.LessThanOrEqualTo(0.05));
        Assert.That(w.Max() - w.Min(), Is.GreaterThan(0.08), "spread over the whole interval");
        Assert.That(emb.GetConfig()["embeddings_initializer"], Is.EqualTo("uniform"));
        Assert.That(new Embedding(5, 2).ComputeOutputShape([null, 3, 4]), Is.EqualTo(new int?[] { null, 3, 4, 2 }));
    }

    [Test]
    public void LooksUpRowsForIntegerAndFloatIds()
    {
        var table = torch.arange(12, dtype: ScalarType.Float32).reshape(4, 3);
        var emb = new Embedding(4, 3, weights: table);
        var ids = torch.tensor(new long[] { 3, 0, 1, 1, 2, 0 }).reshape(2, 3);
        var y = emb.Apply(ids);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3, 3 }));
        // row r of the table is (3r, 3r+1, 3r+2)
        AssertClose(y[0, 0], [9, 10, 11], 0, "id 3");
        AssertClose(y[1, 1], [6, 7, 8], 0, "id 2");
        // float ids are truncated like Keras's cast to int: 2.7 → 2
        AssertClose(emb.Apply(torch.tensor(new float[] { 2.7f, 1.2f }).reshape(1, 2)), [6, 7, 8, 3, 4, 5], 0, "float ids");
        // int32 ids work too
        AssertClose(emb.Apply(torch.tensor(new int[] { 1 }).reshape(1, 1)), [3, 4, 5], 0, "int32 ids");
    }

    [Test]
    public void MaskZeroProducesTheMaskNotEqualToZero()
    {
        var emb = new Embedding(10, 2, maskZero: true);
        var ids = torch.tensor(new long[] { 4, 0, 7, 0, 0, 1 }).reshape(2, 3);
        var y = emb.Apply(ids);
        var mask = Layer.GetMask(y);
        Assert.That(mask, Is.Not.Null);
        Assert.That(mask!.dtype, Is.EqualTo(ScalarType.Bool));
        Assert.That(mask.to(ScalarType.Int64).data<long>().ToArray(), Is.EqualTo(new long[] { 1, 0, 1, 0, 0, 1 }));
        var plain = new Embedding(10, 2);
        Assert.That(Layer.GetMask(plain.Apply(ids)), Is.Null);
        Assert.That(plain.ComputeMask(ids, null), Is.Null);
        Assert.That(emb.GetConfig()["mask_zero"], Is.EqualTo(true));
    }

    [Test]
    public void OutOfRangeIdsThrowNamingLayerAndValue()
    {
        var emb = new Embedding(5, 2, name: "words");
        emb.Apply(torch.tensor(new long[] { 0, 4 }).reshape(1, 2));
        var e = Assert.Throws<ArgumentException>(() => emb.Apply(torch.tensor(new long[] { 1, 5 }).reshape(1, 2)))!;
        Assert.That(e.Message, Does.Contain("'words'").And.Contain("5").And.Contain("[0, 4]"));
        var neg = Assert.Throws<ArgumentException>(() => emb.Apply(torch.tensor(new long[] { -1, 2 }).reshape(1, 2)))!;
        Assert.That(neg.Message, Does.Contain("-1"));
        Assert.Throws<ArgumentException>(() => emb.Apply(torch.ones(1, 2, dtype: ScalarType.Bool)));
    }

    [Test]
    public void BadConstructorArgumentsThrowNamingTheArgument()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(0, 3))!.ParamName, Is.EqualTo("inputDim"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, -2))!.ParamName, Is.EqualTo("outputDim"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Embedding(3, 2, embeddingsInitializer: "bogus"))!.ParamName, Is.EqualTo("embeddingsInitializer"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Embedding(3, 2, weights: torch.zeros(2, 2)))!.ParamName, Is.EqualTo("weights"));
    }

    [Test]
    public void GradientReachesOnlyTheLookedUpRows()
    {
        var emb = new Embedding(6, 2);
        emb.Apply(torch.tensor(new long[] { 1, 4, 4 }).reshape(1, 3), training: true).sum().backward();
        var g = Flat(emb.Embeddings.Value.grad!);
        // d(sum)/d(row r) = number of times r was looked up, for each of its 2 entries
        Assert.That(g, Is.EqualTo(new double[] { 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0 }));
    }

    [Test]
    public void RegularizersAddTheirPenalties()
    {
        var emb = new Embedding(3, 2, embeddingsRegularizer: new Regularizers.L2(0.5), activityRegularizer: "l1");
        var w = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(3, 2);
        var layer = new Embedding(3, 2, embeddingsRegularizer: new Regularizers.L2(0.5), weights: w, activityRegularizer: "l1", name: "reg");
        var y = layer.Apply(torch.tensor(new long[] { 0, 2 }).reshape(2, 1));
        // weight penalty 0.5 · (1+4+9+16+25+36) = 45.5
        Assert.That(layer.RegularizationLoss()!.item<float>(), Is.EqualTo(45.5f).Within(1e-4));
        // activity: 0.01 · (|1|+|2|+|5|+|6|) / batch 2 = 0.07
        var activity = layer.ActivityLosses.Single();
        Assert.That(activity.item<float>(), Is.EqualTo(0.07f).Within(1e-6));
        Assert.That(emb.GetConfig()["embeddings_regularizer"], Is.InstanceOf<Dictionary<string, object?>>());
    }

    [Test]
    public void ConfigRoundTrip()
    {
        var emb = new Embedding(30, 5, maskZero: true, embeddingsRegularizer: "l2", inputShape: [7]);
        var model = new Sequential(emb);
        var config = emb.GetConfig();
        var copy = RecurrentTestUtils.FromConfig<Embedding>(config, new() { ["name"] = "emb_copy" }, "weights");
        var copyModel = new Sequential(copy);
        Assert.That(copyModel.OutputShape, Is.EqualTo(model.OutputShape).And.EqualTo(new int?[] { null, 7, 5 }));
        Assert.That(copy.CountParams(), Is.EqualTo(150));
        Assert.That(copy.MaskZero, Is.True);
        Assert.That(copy.GetConfig().Where(kv => kv.Key != "name"), Is.EquivalentTo(config.Where(kv => kv.Key != "name")));
    }
}
