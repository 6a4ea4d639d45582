using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Flattens every axis but the batch axis (Keras's <c>Flatten</c>); channels_last order is kept.</summary>
public sealed class Flatten : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>); with channels_first the channels are moved last before flattening, so the order of the features matches Keras's.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Flatten(string? dataFormat = null, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        DataFormat = dataFormat ?? Keras.Config.ImageDataFormat;
        if (DataFormat is not ("channels_last" or "channels_first"))
            throw new ArgumentException($"Flatten: dataFormat must be 'channels_last' or 'channels_first'; got '{dataFormat}'.", nameof(dataFormat));
    }

    /// <summary>The data format of the input.</summary>
    public string DataFormat { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (inputs.dim() < 2) return inputs.reshape(inputs.shape[0], 1);
        if (DataFormat == "channels_first" && inputs.dim() > 2)
        {
            // Keras flattens channels_first inputs in channels_last order.
            var perm = new long[inputs.dim()];
            perm[0] = 0;
            for (int i = 1; i < perm.Length - 1; i++) perm[i] = i + 1;
            perm[^1] = 1;
            inputs = inputs.permute(perm);
        }
        return inputs.reshape(inputs.shape[0], -1);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        int? n = 1;
        for (int i = 1; i < inputShape.Length; i++) n = n is int a && inputShape[i] is int b ? a * b : null;
        return [inputShape[0], n];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        return c;
    }
}
