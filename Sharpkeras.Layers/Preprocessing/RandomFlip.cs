using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly flips images during training (Keras's <c>RandomFlip</c>): each image is flipped with probability ½,
/// left-right for "horizontal", top-bottom for "vertical", and both at once for "horizontal_and_vertical" (one
/// coin per image, like Keras). The identity at inference.
/// </summary>
public sealed class RandomFlip : BaseImagePreprocessingLayer
{
    private static readonly string[] Modes = ["horizontal", "vertical", "horizontal_and_vertical"];

    /// <summary>Creates the layer.</summary>
    /// <param name="mode">"horizontal", "vertical" or "horizontal_and_vertical" (default).</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomFlip(string mode = "horizontal_and_vertical", int? seed = null, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        Mode = CheckOption(mode, nameof(mode), Modes);
    }

    /// <summary>"horizontal", "vertical" or "horizontal_and_vertical".</summary>
    public string Mode { get; }

    private protected override Tensor TransformImages(Tensor images, bool training)
    {
        if (!training) return images;
        long n = images.shape[0];
        var flips = HostToDevice.To(torch.rand([n], dtype: ScalarType.Float32, generator: RandomGenerator) <= 0.5f, images.device)
            .reshape(n, 1, 1, 1);
        int hAxis = ChannelsLast ? 1 : 2;
        var output = images;
        if (Mode != "vertical") output = torch.where(flips, output.flip(hAxis + 1), output);
        if (Mode != "horizontal") output = torch.where(flips, output.flip(hAxis), output);
        return output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["mode"] = Mode;
        c["seed"] = Seed;
        return c;
    }
}
