namespace Sharpkeras.Losses;

/// <summary>
/// The arguments the cross-entropy losses and metrics share (<c>from_logits</c>, <c>label_smoothing</c>, <c>axis</c>, and the focal
/// variants' <c>alpha</c>/<c>gamma</c>): validated once, written to a config once. Used by the Binary/Categorical(Focal)Crossentropy
/// losses, the Binary/CategoricalCrossentropy metrics and the function forms in <see cref="Losses"/>.
/// </summary>
internal readonly record struct CrossentropyOptions(bool FromLogits, double LabelSmoothing, int Axis)
{
    /// <summary>Validated options.</summary>
    public static CrossentropyOptions Create(bool fromLogits, double labelSmoothing, int axis = -1) =>
        new(fromLogits, CheckLabelSmoothing(labelSmoothing), axis);

    /// <summary>Throws unless <paramref name="labelSmoothing"/> is in [0, 1] (Keras's range).</summary>
    public static double CheckLabelSmoothing(double labelSmoothing) =>
        labelSmoothing >= 0 && labelSmoothing <= 1 ? labelSmoothing
            : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"labelSmoothing must be in [0, 1]; got {labelSmoothing}.");

    /// <summary>Throws unless the focal <paramref name="alpha"/> is in [0, 1].</summary>
    public static double CheckAlpha(double alpha) =>
        alpha >= 0 && alpha <= 1 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha must be in [0, 1]; got {alpha}.");

    /// <summary>Throws unless the focal <paramref name="gamma"/> is finite and ≥ 0.</summary>
    public static double CheckGamma(double gamma) =>
        gamma >= 0 && double.IsFinite(gamma) ? gamma : throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"gamma must be finite and >= 0; got {gamma}.");

    /// <summary>Writes <c>from_logits</c>, <c>label_smoothing</c> and (with <paramref name="withAxis"/>) <c>axis</c> into <paramref name="config"/>.</summary>
    public void WriteTo(Dictionary<string, object?> config, bool withAxis = true)
    {
        config["from_logits"] = FromLogits;
        config["label_smoothing"] = LabelSmoothing;
        if (withAxis) config["axis"] = Axis;
    }
}
