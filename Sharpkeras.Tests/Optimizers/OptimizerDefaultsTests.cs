using NUnit.Framework;
using Sharpkeras.Optimizers;

namespace Sharpkeras.Tests.Optimizers;

public class OptimizerDefaultsTests
{
    // Keras 3's defaults (keras/src/optimizers/*.py).
    [Test]
    public void RMSpropDefaultsAreKeras()
    {
        var o = new RMSprop();
        Assert.That(o.LearningRate, Is.EqualTo(0.001));
        Assert.That(o.Rho, Is.EqualTo(0.9));
        Assert.That(o.Momentum, Is.EqualTo(0.0));
        Assert.That(o.Epsilon, Is.EqualTo(1e-7));
        Assert.That(o.Centered, Is.False);
        Assert.That(o.WeightDecay, Is.Null);
        Assert.That(o.Name, Is.EqualTo("rm_sprop")); // Keras's auto name: to_snake_case("RMSprop")
    }

    [Test]
    public void AdamWDefaultsAreKeras()
    {
        var o = new AdamW();
        Assert.That(o.LearningRate, Is.EqualTo(0.001));
        Assert.That(o.WeightDecay, Is.EqualTo(0.004));
        Assert.That(o.Beta1, Is.EqualTo(0.9));
        Assert.That(o.Beta2, Is.EqualTo(0.999));
        Assert.That(o.Epsilon, Is.EqualTo(1e-7));
        Assert.That(o.Amsgrad, Is.False);
        Assert.That(o.Name, Is.EqualTo("adam_w"));
    }

    [Test]
    public void AdagradAdadeltaAdamaxNadamDefaultsAreKeras()
    {
        var ag = new Adagrad();
        Assert.That((ag.LearningRate, ag.InitialAccumulatorValue, ag.Epsilon), Is.EqualTo((0.001, 0.1, 1e-7)));
        var ad = new Adadelta();
        Assert.That((ad.LearningRate, ad.Rho, ad.Epsilon), Is.EqualTo((0.001, 0.95, 1e-7)));
        var am = new Adamax();
        Assert.That((am.LearningRate, am.Beta1, am.Beta2, am.Epsilon), Is.EqualTo((0.001, 0.9, 0.999, 1e-7)));
        var na = new Nadam();
        Assert.That((na.LearningRate, na.Beta1, na.Beta2, na.Epsilon), Is.EqualTo((0.001, 0.9, 0.999, 1e-7)));
    }

    [TestCase("rmsprop", typeof(RMSprop))]
    [TestCase("adamw", typeof(AdamW))]
    [TestCase("adagrad", typeof(Adagrad))]
    [TestCase("adadelta", typeof(Adadelta))]
    [TestCase("adamax", typeof(Adamax))]
    [TestCase("nadam", typeof(Nadam))]
    [TestCase("RMSprop", typeof(RMSprop))]
    [TestCase("sgd", typeof(SGD))]
    [TestCase("adam", typeof(Adam))]
    public void AliasesResolveToTheOptimizer(string alias, Type type)
    {
        var o = Optimizer.Get(alias);
        Assert.That(o, Is.InstanceOf(type));
        Assert.That(o.LearningRate, Is.EqualTo(type == typeof(SGD) ? 0.01 : 0.001));
    }

    [Test]
    public void UnknownAliasListsTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizer.Get("adamx"))!;
        Assert.That(e.Message, Does.Contain("adamx"));
        foreach (var alias in new[] { "sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam" })
            Assert.That(e.Message, Does.Contain(alias));
    }

    [Test]
    public void BadHyperParametersThrowNamingTheArgument()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(rho: 1.5))!.ParamName, Is.EqualTo("rho"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(momentum: -0.1))!.ParamName, Is.EqualTo("momentum"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(beta1: 1.0))!.ParamName, Is.EqualTo("beta1"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -1))!.ParamName, Is.EqualTo("weightDecay"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(initialAccumulatorValue: -0.1))!.ParamName, Is.EqualTo("initialAccumulatorValue"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(epsilon: double.NaN))!.ParamName, Is.EqualTo("epsilon"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Adamax(learningRate: -1.0))!.ParamName, Is.EqualTo("learningRate"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(beta2: -0.5))!.ParamName, Is.EqualTo("beta2"));
        // Keras: only one of clipnorm, clipvalue and global_clipnorm.
        var e = Assert.Throws<ArgumentException>(() => new SGD(clipNorm: 1.0, clipValue: 0.5))!;
        Assert.That(e.Message, Does.Contain("Only one of clipNorm, clipValue and globalClipnorm"));
    }

    [Test]
    public void GetConfigUsesKerasKeys()
    {
        var c = new RMSprop(momentum: 0.5, centered: true).GetConfig();
        Assert.That(c["rho"], Is.EqualTo(0.9));
        Assert.That(c["momentum"], Is.EqualTo(0.5));
        Assert.That(c["centered"], Is.EqualTo(true));
        Assert.That(c["learning_rate"], Is.EqualTo(0.001));
        var a = new Adagrad().GetConfig();
        Assert.That(a["initial_accumulator_value"], Is.EqualTo(0.1));
        var w = new AdamW().GetConfig();
        Assert.That(w["weight_decay"], Is.EqualTo(0.004));
        Assert.That(w["beta_1"], Is.EqualTo(0.9));
    }
}
