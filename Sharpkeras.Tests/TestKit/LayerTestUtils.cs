using System.Reflection;
using NUnit.Framework;
using Sharpkeras.Engine;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>Checks shared by the convolution, pooling and normalization tests.</summary>
internal static class LayerTestUtils
{
    private static readonly HashSet<string> BaseKeys = ["name", "trainable", "dtype"];

    /// <summary>
    /// Rebuilds a layer from its GetConfig() through the public constructor whose camelCase parameter names are
    /// the config's snake_case keys (the convention saving relies on). Every config key must bind.
    /// </summary>
    public static Layer Rebuild(Layer layer)
    {
        var config = layer.GetConfig();
        var keys = config.Keys.Where(k => !BaseKeys.Contains(k)).ToList();
        var failures = new List<string>();
        foreach (var ctor in layer.GetType().GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var ps = ctor.GetParameters();
            var byKey = ps.ToDictionary(p => NameScope.ToSnakeCase(p.Name!), p => p);
            var missing = keys.Where(k => !byKey.ContainsKey(k)).ToList();
            if (missing.Count > 0) { failures.Add($"{ctor}: no parameter for {string.Join(", ", missing)}"); continue; }
            var args = new object?[ps.Length];
            bool ok = true;
            for (int i = 0; i < ps.Length && ok; i++)
            {
                var key = NameScope.ToSnakeCase(ps[i].Name!);
                if (config.TryGetValue(key, out var v) && !BaseKeys.Contains(key))
                {
                    if (TryConvert(v, ps[i].ParameterType, out var converted)) args[i] = converted;
                    else { ok = false; failures.Add($"{ctor}: cannot pass {key}={v} as {ps[i].ParameterType.Name}"); }
                }
                else if (ps[i].HasDefaultValue) args[i] = ps[i].DefaultValue;
                else { ok = false; failures.Add($"{ctor}: required parameter {ps[i].Name} missing"); }
            }
            if (ok) return (Layer)ctor.Invoke(args);
        }
        Assert.Fail($"No constructor of {layer.GetType().Name} rebuilds it from its config: {string.Join("; ", failures)}");
        return null!;
    }

    private static bool TryConvert(object? value, Type target, out object? result)
    {
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        result = null;
        if (value is null) return !target.IsValueType || Nullable.GetUnderlyingType(target) != null;
        if (underlying.IsInstanceOfType(value)) { result = value; return true; }
        if (underlying == typeof(IntTuple))
        {
            if (value is int i) { result = (IntTuple)i; return true; }
            if (value is int[] a) { result = (IntTuple)a; return true; }
            return false;
        }
        if (underlying == typeof(int?[]) && value is int[] ia) { result = ia.Select(x => (int?)x).ToArray(); return true; }
        if (underlying == typeof(double) && value is int di) { result = (double)di; return true; }
        return false;
    }

    /// <summary>The config round trip: the rebuilt layer has the same config (but its name), output shape and parameter count.</summary>
    public static Layer AssertConfigRoundTrip(Layer layer, int?[] inputShape)
    {
        var copy = Rebuild(layer);
        var a = layer.GetConfig();
        var b = copy.GetConfig();
        a.Remove("name");
        b.Remove("name");
        Assert.That(b.Keys, Is.EquivalentTo(a.Keys), "config keys");
        foreach (var k in a.Keys) Assert.That(b[k], Is.EqualTo(a[k]), $"config '{k}'");
        Assert.That(copy.ComputeOutputShape(inputShape), Is.EqualTo(layer.ComputeOutputShape(inputShape)), "output shape");
        var x = torch.zeros(inputShape.Select(d => (long)(d ?? 2)).ToArray());
        layer.Apply(x);
        copy.Apply(x);
        Assert.That(copy.CountParams(), Is.EqualTo(layer.CountParams()), "param count");
        return copy;
    }

    /// <summary>Backpropagates a random projection of the output and checks every trainable weight gets a nonzero gradient.</summary>
    public static void AssertGradientReachesEveryTrainableWeight(Layer layer, Tensor x, bool training = true)
    {
        var y = layer.Apply(x, training: training);
        var g = new Generator(7, torch.CPU);
        var r = torch.rand(y.shape, generator: g);
        y.mul(r).sum().backward();
        Assert.That(layer.TrainableWeights, Is.Not.Empty);
        foreach (var v in layer.TrainableWeights)
        {
            var grad = v.Value.grad;
            Assert.That(grad, Is.Not.Null, $"no gradient for {v.Path}");
            Assert.That(grad!.abs().sum().item<float>(), Is.GreaterThan(0f), $"zero gradient for {v.Path}");
        }
    }

    /// <summary>Asserts elementwise closeness to expected values.</summary>
    public static void AssertClose(Tensor actual, float[] expected, long[] shape, double tol = 1e-5)
    {
        Assert.That(actual.shape, Is.EqualTo(shape), "shape");
        var got = actual.detach().cpu().contiguous().data<float>().ToArray();
        Assert.That(got.Length, Is.EqualTo(expected.Length));
        for (int i = 0; i < got.Length; i++)
            Assert.That(got[i], Is.EqualTo(expected[i]).Within(tol), $"element {i}: got [{string.Join(", ", got)}]");
    }

    /// <summary>The sum of the sizes of the given weights.</summary>
    public static long Count(IEnumerable<KerasVariable> vars) => vars.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b));
}
