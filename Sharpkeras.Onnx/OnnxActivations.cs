namespace Sharpkeras.Onnx;

/// <summary>Keras activation functions as ONNX operators (opset 17).</summary>
internal static class OnnxActivations
{
    /// <summary>Applies the activation named <paramref name="name"/> (Keras alias; null or "linear" is the identity).</summary>
    public static string Apply(OnnxGraphBuilder g, string? name, string x, string hint, string layerDesc)
    {
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
            case "relu6": return g.Node("Clip", [x, g.Scalar(0f, hint + "/min"), g.Scalar(6f, hint + "/max")], hint);
            case "hard_sigmoid": return g.Node("HardSigmoid", [x], hint, ("alpha", 1f / 6f), ("beta", 0.5f));
            case "gelu":
            {
                // Keras's default (approximate=False): 0.5 x (1 + erf(x / sqrt 2)).
                var erf = g.Node("Erf", [g.Node("Div", [x, g.Scalar(MathF.Sqrt(2f), hint + "/sqrt2")], hint)], hint);
                var one = g.Node("Add", [erf, g.Scalar(1f, hint + "/one")], hint);
                return g.Node("Mul", [g.Node("Mul", [x, one], hint), g.Scalar(0.5f, hint + "/half")], hint);
            }
            default:
                throw new NotSupportedException($"{layerDesc} uses the activation '{name}', which the ONNX exporter does not support.");
        }
    }
}
