using NUnit.Framework;
using Sharpkeras.Registry;

namespace Sharpkeras.Tests.Registry;

public class AliasRegistryTests
{
    [Test]
    public void GetMakesAFreshObjectPerCallAndPassesTheAlias()
    {
        var r = new AliasRegistry<string>("thing").Register(a => "made:" + a, "x", "y");
        Assert.That(r.Get("x"), Is.EqualTo("made:x"));
        Assert.That(r.Get("y"), Is.EqualTo("made:y"));
        Assert.That(r.Contains("x"), Is.True);
        Assert.That(r.Contains("z"), Is.False);
    }

    [Test]
    public void UnknownAliasListsEveryValidAliasSorted()
    {
        var r = new AliasRegistry<int>("thing").Register(() => 1, "zeta", "alpha").Register(() => 2, "mid");
        var e = Assert.Throws<ArgumentException>(() => r.Get("nope", "arg"))!;
        Assert.That(e.ParamName, Is.EqualTo("arg"));
        Assert.That(e.Message, Does.Contain("Unknown thing 'nope'"));
        Assert.That(e.Message, Does.Contain("alpha, mid, zeta"));
    }

    [Test]
    public void BadRegistrationsThrow()
    {
        var r = new AliasRegistry<int>("thing");
        Assert.Throws<ArgumentException>(() => r.Register(() => 1));
        Assert.Throws<ArgumentException>(() => r.Register(() => 1, ""));
        Assert.Throws<ArgumentNullException>(() => r.Register((Func<int>)null!, "a"));
        Assert.Throws<ArgumentException>(() => new AliasRegistry<int>(""));
        Assert.Throws<ArgumentNullException>(() => r.Get(null!));
    }

    [Test]
    public void EveryFamilyListsItsAliasesSortedInErrors()
    {
        void Check(Action get, IReadOnlyList<string> aliases)
        {
            var e = Assert.Throws<ArgumentException>(() => get())!;
            Assert.That(e.Message, Does.Contain(string.Join(", ", aliases.OrderBy(a => a, StringComparer.Ordinal))));
            Assert.That(aliases, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        }
        Check(() => Sharpkeras.Losses.Loss.Get("nope"), Sharpkeras.Losses.Loss.Aliases);
        Check(() => Sharpkeras.Metrics.Metric.Get("nope"), Sharpkeras.Metrics.Metric.Aliases);
        Check(() => Activations.Get("nope"), Activations.Aliases);
        Check(() => Sharpkeras.Optimizers.Optimizer.Get("nope"), Sharpkeras.Optimizers.Optimizer.Aliases);
        Check(() => Sharpkeras.Initializers.Initializer.Get("nope"), Sharpkeras.Initializers.Initializer.Aliases);
        Check(() => Sharpkeras.Regularizers.Regularizer.Get("nope"), Sharpkeras.Regularizers.Regularizer.Aliases);
    }

    [Test]
    public void EveryAliasResolves()
    {
        foreach (var a in Sharpkeras.Losses.Loss.Aliases) Assert.That(Sharpkeras.Losses.Loss.Get(a), Is.Not.Null, a);
        foreach (var a in Sharpkeras.Metrics.Metric.Aliases) Assert.That(Sharpkeras.Metrics.Metric.Get(a).Name, Is.EqualTo(a), a);
        foreach (var a in Activations.Aliases) Assert.That(Activations.Get(a), Is.Not.Null, a);
        foreach (var a in Sharpkeras.Optimizers.Optimizer.Aliases) Assert.That(Sharpkeras.Optimizers.Optimizer.Get(a), Is.Not.Null, a);
        foreach (var a in Sharpkeras.Initializers.Initializer.Aliases) Assert.That(Sharpkeras.Initializers.Initializer.Get(a), Is.Not.Null, a);
        foreach (var a in Sharpkeras.Regularizers.Regularizer.Aliases) Assert.That(Sharpkeras.Regularizers.Regularizer.Get(a), Is.Not.Null, a);
    }

    [Test]
    public void UserRegisteredLossAliasResolves()
    {
        Sharpkeras.Losses.Loss.Registry.Register(() => new Sharpkeras.Losses.Huber(delta: 2.5), "test_only_huber25");
        Assert.That(((Sharpkeras.Losses.Huber)Sharpkeras.Losses.Loss.Get("test_only_huber25")).Delta, Is.EqualTo(2.5));
    }
}
