using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Registry;
using TorchSharp;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Registry;

public class LayerAliasesTests
{
    [SetUp]
    public void Setup() => Keras.ClearSession();

    [Test]
    public void AliasesNameKerasCanonicalClasses()
    {
        Assert.That(LayerAliases.Canonical("MaxPool2D"), Is.EqualTo("MaxPooling2D"));
        Assert.That(LayerAliases.Canonical("GlobalAvgPool1D"), Is.EqualTo("GlobalAveragePooling1D"));
        Assert.That(LayerAliases.Canonical("Convolution2DTranspose"), Is.EqualTo("Conv2DTranspose"));
        Assert.That(LayerAliases.Canonical("SeparableConvolution1D"), Is.EqualTo("SeparableConv1D"));
        Assert.That(LayerAliases.Canonical("Dense"), Is.EqualTo("Dense"), "not an alias");
        Assert.That(LayerAliases.Registry.Aliases, Has.Count.EqualTo(12 + 3 + 3 + 2));
        var layers = typeof(Conv2D).Assembly;
        foreach (var alias in LayerAliases.Registry.Aliases)
        {
            var canonical = layers.GetType("Sharpkeras.Layers." + LayerAliases.Canonical(alias));
            Assert.That(canonical, Is.Not.Null, $"{alias} → a Sharpkeras layer");
            // A C# class of the alias's name, where there is one, is its canonical class under a second name.
            if (layers.GetType("Sharpkeras.Layers." + alias) is Type cls) Assert.That(cls.BaseType, Is.EqualTo(canonical), alias);
        }
        Assert.That(new[] { "MaxPool", "AvgPool", "GlobalMaxPool", "GlobalAvgPool" }
            .SelectMany(p => new[] { "1D", "2D", "3D" }.Select(d => p + d))
            .All(a => layers.GetType("Sharpkeras.Layers." + a) is not null && LayerAliases.Registry.Contains(a)), Is.True,
            "the pooling aliases stay constructible (new MaxPool2D(2)) and are registered");
    }

    [Test]
    public void AliasClassesTakeTheCanonicalNameAndKerasFileClass()
    {
        Assert.That(new GlobalMaxPool3D().Name, Is.EqualTo("global_max_pooling3d"));
        Assert.That(new AvgPool2D().Name, Is.EqualTo("average_pooling2d"));
        Assert.That(new MaxPool1D().Name, Is.EqualTo("max_pooling1d"));
    }

    [Test]
    public void ConfigsNamingAnAliasLoadTheCanonicalClass()
    {
        var dir = TempDir();
        try
        {
            var input = Keras.Input([6, 6, 1]);
            var h = new Conv2D(2, 3).Apply(input);
            var model = new Model(input, new GlobalAveragePooling2D().Apply(h));
            var path = Path.Combine(dir, "m.keras");
            model.Save(path);
            // Keras writes canonical names; a config that names Keras's alias (keras.layers.Convolution2D) still loads.
            var edited = EditConfigJson(path, "aliases.keras",
                json => json.Replace("\"Conv2D\"", "\"Convolution2D\"").Replace("\"GlobalAveragePooling2D\"", "\"GlobalAvgPool2D\""));
            var loaded = Model.Load(edited);
            Assert.That(loaded.Layers.OfType<Conv2D>().Count(), Is.EqualTo(1));
            Assert.That(loaded.Layers.OfType<GlobalAveragePooling2D>().Count(), Is.EqualTo(1));
            var x = torch.randn(2, 6, 6, 1);
            Assert.That(torch.allclose(loaded.Predict(x, verbose: 0), model.Predict(x, verbose: 0)), Is.True);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
