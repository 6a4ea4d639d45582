using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

/// <summary>
/// Helpers for the recurrent-layer tests: a double-precision transcription of Keras's RNN loop semantics
/// (keras/src/backend/*/rnn.py: masked steps keep the states and repeat the previous output, zeros before the
/// first unmasked step or everywhere masked with zero_output_for_mask; go_backwards reverses the input and
/// returns the reversed sequence), Keras's cell equations, tensor/array conversion, and config round-trips.
/// </summary>
internal static class RecurrentTestUtils
{
    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>One cell step: (input x_t, states) → (output, new states).</summary>
    public delegate (double[] output, double[][] states) CellStep(double[] x, double[][] states);

    /// <summary>Keras's RNN loop for one sample: returns the output sequence (processing order) and the final states.</summary>
    public static (double[][] sequence, double[][] states) RunSample(CellStep cell, double[][] x, double[][] initial, bool[]? mask,
        bool goBackwards = false, bool zeroOutputForMask = false)
    {
        int steps = x.Length;
        var order = Enumerable.Range(0, steps).ToArray();
        if (goBackwards) Array.Reverse(order);
        var states = initial.Select(s => (double[])s.Clone()).ToArray();
        double[]? previous = null;
        var seq = new double[steps][];
        for (int k = 0; k < steps; k++)
        {
            int t = order[k];
            var (o, next) = cell(x[t], states);
            previous ??= new double[o.Length];
            if (mask is not null && !mask[t])
            {
                o = zeroOutputForMask ? new double[o.Length] : (double[])previous.Clone();
                next = states;
            }
            seq[k] = o;
            previous = o;
            states = next;
        }
        return (seq, states);
    }

    private static double Dot(double[] v, double[,] m, int col)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * m[i, col];
        return s;
    }

    /// <summary>Keras LSTMCell (implementation 2): gates i, f, c, o; kernel (d, 4u), recurrent (u, 4u), bias (4u).</summary>
    public static CellStep LstmCell(double[,] kernel, double[,] recurrent, double[] bias) => (x, s) =>
    {
        int u = recurrent.GetLength(0);
        var h = new double[u];
        var c = new double[u];
        for (int j = 0; j < u; j++)
        {
            double Z(int g) => Dot(x, kernel, g * u + j) + Dot(s[0], recurrent, g * u + j) + bias[g * u + j];
            double i = Sigmoid(Z(0)), f = Sigmoid(Z(1)), o = Sigmoid(Z(3));
            c[j] = f * s[1][j] + i * Math.Tanh(Z(2));
            h[j] = o * Math.Tanh(c[j]);
        }
        return (h, [h, c]);
    };

    /// <summary>Keras GRUCell: gates z, r, h; resetAfter bias (2, 3u) [input; recurrent], else (3u).</summary>
    public static CellStep GruCell(double[,] kernel, double[,] recurrent, double[,] bias, bool resetAfter = true) => (x, s) =>
    {
        int u = recurrent.GetLength(0);
        var h = s[0];
        var next = new double[u];
        for (int j = 0; j < u; j++)
        {
            double X(int g) => Dot(x, kernel, g * u + j) + bias[0, g * u + j];
            double Rb(int g) => resetAfter ? bias[1, g * u + j] : 0.0;
            double z = Sigmoid(X(0) + Dot(h, recurrent, j) + Rb(0));
            double r = Sigmoid(X(1) + Dot(h, recurrent, u + j) + Rb(1));
            double hh;
            if (resetAfter) hh = Math.Tanh(X(2) + r * (Dot(h, recurrent, 2 * u + j) + Rb(2)));
            else
            {
                // (r ⊙ h) · U_h needs every r_k: recompute r for all units.
                double acc = 0;
                for (int k = 0; k < u; k++)
                {
                    double rk = Sigmoid(Dot(x, kernel, u + k) + bias[0, u + k] + Dot(h, recurrent, u + k));
                    acc += rk * h[k] * recurrent[k, 2 * u + j];
                }
                hh = Math.Tanh(X(2) + acc);
            }
            next[j] = z * h[j] + (1 - z) * hh;
        }
        return (next, [next]);
    };

    /// <summary>Keras SimpleRNNCell: h' = act(x·K + b + h·R).</summary>
    public static CellStep SimpleCell(double[,] kernel, double[,] recurrent, double[] bias, Func<double, double> act) => (x, s) =>
    {
        int u = recurrent.GetLength(0);
        var h = new double[u];
        for (int j = 0; j < u; j++) h[j] = act(Dot(x, kernel, j) + Dot(s[0], recurrent, j) + bias[j]);
        return (h, [h]);
    };

    // ------------------------------------------------------------------ conversions

    public static double[] Flat(Tensor t) => t.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();

    public static double[,] Matrix(Tensor t)
    {
        var f = Flat(t);
        int r = (int)t.shape[0], c = (int)t.shape[1];
        var m = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = f[i * c + j];
        return m;
    }

    /// <summary>(B, T, D) tensor → [b][t][d].</summary>
    public static double[][][] Sequences(Tensor t)
    {
        var f = Flat(t);
        int b = (int)t.shape[0], n = (int)t.shape[1], d = (int)t.shape[2];
        return Enumerable.Range(0, b).Select(i => Enumerable.Range(0, n).Select(j => f.Skip((i * n + j) * d).Take(d).ToArray()).ToArray()).ToArray();
    }

    // ------------------------------------------------------------------ config round-trip

    private static string Snake(string camel) => Regex.Replace(camel, "([a-z0-9])([A-Z])", "$1_$2").ToLowerInvariant();

    /// <summary>
    /// Rebuilds a layer from its GetConfig() by matching each constructor parameter to the config key that is its
    /// snake_case name (the project's config convention). Every parameter except <paramref name="skip"/> must have a key.
    /// </summary>
    public static T FromConfig<T>(Dictionary<string, object?> config, Dictionary<string, object?>? overrides = null, params string[] skip) where T : Layer
    {
        var ctor = typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var args = new List<object?>();
        foreach (var p in ctor.GetParameters())
        {
            var key = Snake(p.Name!);
            if (overrides != null && overrides.TryGetValue(p.Name!, out var o)) { args.Add(o); continue; }
            if (skip.Contains(p.Name) || key == "input_shape" && !config.ContainsKey(key)) { args.Add(p.DefaultValue); continue; }
            Assert.That(config.ContainsKey(key), Is.True, $"{typeof(T).Name} config lacks '{key}' (constructor parameter '{p.Name}')");
            args.Add(ConvertValue(config[key], p.ParameterType));
        }
        return (T)ctor.Invoke(args.ToArray());
    }

    private static object? ConvertValue(object? v, Type target)
    {
        if (v is null) return null;
        var t = Nullable.GetUnderlyingType(target) ?? target;
        if (t == typeof(object) || t.IsInstanceOfType(v)) return v;
        return Convert.ChangeType(v, t, System.Globalization.CultureInfo.InvariantCulture);
    }
}
