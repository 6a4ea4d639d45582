namespace Sharpkeras.Onnx;

/// <summary>Keras activation functions as ONNX operators (opset 17), with the formulas of <see cref="Activations"/>.</summary>
internal static class OnnxActivations
{
    /// <summary>Applies the activation named <paramref name="name"/> (Keras alias; null or "linear" is the identity).</summary>
    public static string Apply(OnnxGraphBuilder g, string? name, string x, string hint, string layerDesc)
    {
        string C(float v, string what) => g.Scalar(v, hint + "/" + what);
        switch (name)
        {
            case null or "linear": return x;
            case "relu": return g.Node("Relu", [x], hint);
            case "sigmoid": return g.Node("Sigmoid", [x], hint);
            case "tanh": return g.Node("Tanh", [x], hint);
            case "softmax": return g.Node("Softmax", [x], hint, ("axis", -1L));
            case "log_softmax": return g.Node("LogSoftmax", [x], hint, ("axis", -1L));
            case "elu": return g.Node("Elu", [x], hint, ("alpha", 1f));
            case "selu": return g.Node("Selu", [x], hint, ("alpha", 1.67326324f), ("gamma", 1.05070098f));
            case "softplus": return g.Node("Softplus", [x], hint);
            case "softsign": return g.Node("Softsign", [x], hint);
            case "exponential": return g.Node("Exp", [x], hint);
            case "swish" or "silu": return g.Node("Mul", [x, g.Node("Sigmoid", [x], hint)], hint);
            case "leaky_relu": return g.Node("LeakyRelu", [x], hint, ("alpha", 0.2f));
            case "relu6": return g.Node("Clip", [x, C(0f, "min"), C(6f, "max")], hint);
            case "hard_sigmoid": return g.Node("HardSigmoid", [x], hint, ("alpha", 1f / 6f), ("beta", 0.5f));
            case "hard_silu" or "hard_swish": return g.Node("Mul", [x, g.Node("HardSigmoid", [x], hint, ("alpha", 1f / 6f), ("beta", 0.5f))], hint);
            case "mish": return g.Node("Mul", [x, g.Node("Tanh", [g.Node("Softplus", [x], hint)], hint)], hint);
            case "celu": return g.Node("Celu", [x], hint, ("alpha", 1f));
            case "tanh_shrink": return g.Node("Sub", [x, g.Node("Tanh", [x], hint)], hint);
            case "hard_tanh": return g.Node("Clip", [x, C(-1f, "min"), C(1f, "max")], hint);
            case "hard_shrink": return g.Node("Shrink", [x], hint, ("lambd", 0.5f), ("bias", 0f));
            case "soft_shrink": return g.Node("Shrink", [x], hint, ("lambd", 0.5f), ("bias", 0.5f));
            case "log_sigmoid": return g.Node("Neg", [g.Node("Softplus", [g.Node("Neg", [x], hint)], hint)], hint);
            case "sparse_sigmoid":
                return g.Node("Clip", [g.Node("Mul", [g.Node("Add", [x, C(1f, "one")], hint), C(0.5f, "half")], hint), C(0f, "min"), C(1f, "max")], hint);
            case "sparse_plus":
            {
                // 0 for x <= -1, x for x >= 1, (x + 1)² / 4 between.
                var mid = g.Node("Div", [g.Node("Pow", [g.Node("Add", [x, C(1f, "one")], hint), C(2f, "two")], hint), C(4f, "four")], hint);
                var upper = g.Node("Where", [g.Node("GreaterOrEqual", [x, C(1f, "one_b")], hint), x, mid], hint);
                return g.Node("Where", [g.Node("LessOrEqual", [x, C(-1f, "minus_one")], hint), C(0f, "zero"), upper], hint);
            }
            case "squareplus":
            {
                var root = g.Node("Sqrt", [g.Node("Add", [g.Node("Mul", [x, x], hint), C(4f, "b")], hint)], hint);
                return g.Node("Div", [g.Node("Add", [x, root], hint), C(2f, "two")], hint);
            }
            case "glu":
            {
                var halves = g.SplitEqual(x, 2, -1, hint);
                return g.Node("Mul", [halves[0], g.Node("Sigmoid", [halves[1]], hint)], hint);
            }
            case "gelu":
            {
                // Keras's default (approximate=False): 0.5 x (1 + erf(x / sqrt 2)).
                var erf = g.Node("Erf", [g.Node("Div", [x, C(MathF.Sqrt(2f), "sqrt2")], hint)], hint);
                var one = g.Node("Add", [erf, C(1f, "one")], hint);
                return g.Node("Mul", [g.Node("Mul", [x, one], hint), C(0.5f, "half")], hint);
            }
            default:
                throw new NotSupportedException($"{layerDesc} uses the activation '{name}', which the ONNX exporter does not support.");
        }
    }

    /// <summary>A softmax over one or several axes (several: exp(x − max) / sum, as the Softmax layer computes it).</summary>
    public static string Softmax(OnnxGraphBuilder g, string x, long[] axes, string hint)
    {
        if (axes.Length == 1) return g.Node("Softmax", [x], hint, ("axis", axes[0]));
        var e = g.Node("Exp", [g.Node("Sub", [x, g.Reduce("ReduceMax", x, axes, true, hint)], hint)], hint);
        return g.Node("Div", [e, g.Reduce("ReduceSum", e, axes, true, hint)], hint);
    }
}
