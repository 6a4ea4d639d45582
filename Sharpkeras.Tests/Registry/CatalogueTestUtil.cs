using NUnit.Framework;
using System.Text.Json;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Registry;

/// <summary>Helpers shared by the catalogue tests (losses, metrics, activations, optimizers).</summary>
internal static class CatalogueTestUtil
{
    public static Tensor T(params double[] v) => torch.tensor(v, dtype: ScalarType.Float32);

    public static Tensor T2(double[,] v) => torch.tensor(v, dtype: ScalarType.Float32);

    public static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();

    public static double Scalar(Tensor t) => t.to(ScalarType.Float64).cpu().item<double>();

    public static void Close(Tensor actual, double[] expected, double tol = 1e-5)
    {
        var v = Values(actual);
        Assert.That(v.Length, Is.EqualTo(expected.Length), "element count");
        for (int i = 0; i < v.Length; i++) Assert.That(v[i], Is.EqualTo(expected[i]).Within(tol), $"element {i}");
    }

    public static void Close(Tensor actual, double expected, double tol = 1e-5) => Assert.That(Scalar(actual), Is.EqualTo(expected).Within(tol));

    /// <summary>
    /// Rebuilds an object from its config the way saving does (JSON, then the public constructor whose parameters
    /// match the keys, through the library's own <c>ConfigReader</c>) and checks the rebuilt config is identical.
    /// </summary>
    public static T RoundTrip<T>(T obj, Func<T, Dictionary<string, object?>> getConfig) where T : class
    {
        var json = JsonSerializer.Serialize(getConfig(obj));
        using var doc = JsonDocument.Parse(json);
        var copy = (T)new ConfigReader(null).Construct(obj.GetType(), doc.RootElement, "test");
        Assert.That(JsonSerializer.Serialize(getConfig(copy)), Is.EqualTo(json));
        return copy;
    }
}
