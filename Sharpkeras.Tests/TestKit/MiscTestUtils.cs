using System.Runtime.CompilerServices;
using System.Text.Json;
using NUnit.Framework;
using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>Helpers for the reshaping, merging, activation and regularization layer tests.</summary>
internal static class MiscTestUtils
{
    /// <summary>0, 1, 2, … as float32 in the given shape.</summary>
    public static Tensor Arange(params long[] shape) =>
        torch.arange(shape.Aggregate(1L, (a, b) => a * b), dtype: ScalarType.Float32).reshape(shape);

    /// <summary>The values of a tensor as doubles (row-major).</summary>
    public static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    /// <summary>Asserts shape and values within an absolute tolerance.</summary>
    public static void AssertClose(Tensor actual, long[] shape, double[] expected, double tol = 1e-5)
    {
        Assert.That(actual.shape, Is.EqualTo(shape), "shape");
        var v = Values(actual);
        Assert.That(v.Length, Is.EqualTo(expected.Length), "element count");
        for (int i = 0; i < v.Length; i++)
            Assert.That(v[i], Is.EqualTo(expected[i]).Within(tol), $"element {i}");
    }

    private static readonly HashSet<string> Skipped = ["name", "trainable", "dtype"];

    /// <summary>
    /// Rebuilds a layer from its config as saving does: the config is written to JSON and read back (so every value
    /// must be JSON-friendly), and the public constructor whose camelCase parameter names are the config's
    /// snake_case keys is called with the read values. Every config key must bind to a parameter.
    /// </summary>
    public static Layer Rebuild(Layer layer)
    {
        var json = JsonSerializer.Serialize(layer.GetConfig());
        using var doc = JsonDocument.Parse(json);
        var config = doc.RootElement.EnumerateObject().Where(p => !Skipped.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value.Clone());
        var failures = new List<string>();
        foreach (var ctor in layer.GetType().GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var ps = ctor.GetParameters();
            var byKey = ps.ToDictionary(p => NameScope.ToSnakeCase(p.Name!), p => p);
            var missing = config.Keys.Where(k => !byKey.ContainsKey(k)).ToList();
            if (missing.Count > 0) { failures.Add($"{ctor}: no parameter for {string.Join(", ", missing)}"); continue; }
            var args = new object?[ps.Length];
            bool ok = true;
            for (int i = 0; i < ps.Length && ok; i++)
            {
                var key = NameScope.ToSnakeCase(ps[i].Name!);
                if (config.TryGetValue(key, out var v))
                {
                    if (TryConvert(v, ps[i].ParameterType, out var converted)) args[i] = converted;
                    else { ok = false; failures.Add($"{ctor}: cannot read {key}={v} as {ps[i].ParameterType.Name}"); }
                }
                else if (ps[i].HasDefaultValue) args[i] = ps[i].DefaultValue;
                else { ok = false; failures.Add($"{ctor}: required parameter {ps[i].Name} missing"); }
            }
            if (ok) return (Layer)ctor.Invoke(args);
        }
        Assert.Fail($"No constructor of {layer.GetType().Name} rebuilds it from its JSON config {json}: {string.Join("; ", failures)}");
        return null!;
    }

    private static bool TryConvert(JsonElement v, Type target, out object? result)
    {
        result = null;
        var underlying = Nullable.GetUnderlyingType(target);
        if (v.ValueKind == JsonValueKind.Null) return !target.IsValueType || underlying != null;
        var t = underlying ?? target;
        switch (v.ValueKind)
        {
            case JsonValueKind.String when t == typeof(string) || t == typeof(object):
                result = v.GetString(); return true;
            case JsonValueKind.True or JsonValueKind.False when t == typeof(bool) || t == typeof(object):
                result = v.GetBoolean(); return true;
            case JsonValueKind.Number when t == typeof(int) && v.TryGetInt32(out var i):
                result = i; return true;
            case JsonValueKind.Number when t == typeof(long) && v.TryGetInt64(out var l):
                result = l; return true;
            case JsonValueKind.Number when t == typeof(double) || t == typeof(object):
                result = v.GetDouble(); return true;
            case JsonValueKind.Array when t.IsArray:
            {
                var et = t.GetElementType()!;
                var arr = Array.CreateInstance(et, v.GetArrayLength());
                int k = 0;
                foreach (var e in v.EnumerateArray())
                {
                    if (!TryConvert(e, et, out var item)) return false;
                    arr.SetValue(item, k++);
                }
                result = arr; return true;
            }
            case JsonValueKind.Array when typeof(ITuple).IsAssignableFrom(t) && t.IsValueType:
            {
                var args = t.GetGenericArguments();
                if (v.GetArrayLength() != args.Length) return false;
                var items = new object?[args.Length];
                int k = 0;
                foreach (var e in v.EnumerateArray())
                {
                    if (!TryConvert(e, args[k], out items[k])) return false;
                    k++;
                }
                result = Activator.CreateInstance(t, items); return true;
            }
            default:
                return false;
        }
    }

    /// <summary>
    /// The config round trip: a layer rebuilt from its JSON config has the same config (name aside), the same
    /// output shape, and computes the same output (inference mode) on <paramref name="x"/>.
    /// </summary>
    public static Layer AssertRoundTrip(Layer layer, Tensor x)
    {
        var copy = Rebuild(layer);
        var a = layer.GetConfig();
        var b = copy.GetConfig();
        a.Remove("name");
        b.Remove("name");
        Assert.That(JsonSerializer.Serialize(b), Is.EqualTo(JsonSerializer.Serialize(a)), "config");
        var shape = ShapeUtils.WithNullBatch(x.shape);
        Assert.That(copy.ComputeOutputShape(shape), Is.EqualTo(layer.ComputeOutputShape(shape)), "output shape");
        var ya = layer.Apply(x);
        var yb = copy.Apply(x);
        Assert.That(yb.shape, Is.EqualTo(ya.shape), "output shape (eager)");
        Assert.That(Values(yb), Is.EqualTo(Values(ya)).Within(1e-6), "output values");
        return copy;
    }

    /// <summary>The output shape of a layer applied to a symbolic input (Functional API).</summary>
    public static int?[] SymbolicShape(Layer layer, params int?[] inputShapeWithoutBatch) =>
        layer.Apply(Keras.Input(shape: inputShapeWithoutBatch)).Shape;
}
