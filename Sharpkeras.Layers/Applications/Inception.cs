using Sharpkeras.Layers;

namespace Sharpkeras;

public static partial class Applications
{
    /// <summary>
    /// InceptionV3 as in Keras (<c>keras.applications.InceptionV3</c>: convolutions without bias followed by
    /// BatchNormalization without scale and ReLU). 299×299×3, top, 1000 classes: 23,851,784 parameters.
    /// </summary>
    /// <param name="includeTop">Include the classifier (global average pooling, Dense(classes, softmax)), as Keras's <c>include_top</c>; false ends at the <c>mixed10</c> block.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (299, 299, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model InceptionV3(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
    {
        CheckClasses(classes, nameof(InceptionV3));
        var inputs = Keras.Input(shape: Shape(inputShape, [299, 299, 3], nameof(InceptionV3)));
        var x = ConvBn(inputs, 32, 3, 3, strides: 2, padding: "valid");
        x = ConvBn(x, 32, 3, 3, padding: "valid");
        x = ConvBn(x, 64, 3, 3);
        x = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
        x = ConvBn(x, 80, 1, 1, padding: "valid");
        x = ConvBn(x, 192, 3, 3, padding: "valid");
        x = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);

        // mixed 0, 1, 2: 35 × 35
        foreach (var (poolFilters, i) in new[] { (32, 0), (64, 1), (64, 2) })
        {
            var b1 = ConvBn(x, 64, 1, 1);
            var b5 = ConvBn(ConvBn(x, 48, 1, 1), 64, 5, 5);
            var b3 = ConvBn(ConvBn(ConvBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
            var bp = ConvBn(new AveragePooling2D(poolSize: 3, strides: 1, padding: "same").Apply(x), poolFilters, 1, 1);
            x = new Concatenate(axis: -1, name: $"mixed{i}").Apply(b1, b5, b3, bp);
        }
        // mixed 3: 17 × 17
        {
            var b3 = ConvBn(x, 384, 3, 3, strides: 2, padding: "valid");
            var bd = ConvBn(ConvBn(ConvBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides: 2, padding: "valid");
            var bp = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
            x = new Concatenate(axis: -1, name: "mixed3").Apply(b3, bd, bp);
        }
        // mixed 4 … 7: 17 × 17 with factorised 7×7 convolutions
        foreach (var (c, i) in new[] { (128, 4), (160, 5), (160, 6), (192, 7) })
        {
            var b1 = ConvBn(x, 192, 1, 1);
            var b7 = ConvBn(ConvBn(ConvBn(x, c, 1, 1), c, 1, 7), 192, 7, 1);
            var bd = ConvBn(ConvBn(ConvBn(ConvBn(ConvBn(x, c, 1, 1), c, 7, 1), c, 1, 7), c, 7, 1), 192, 1, 7);
            var bp = ConvBn(new AveragePooling2D(poolSize: 3, strides: 1, padding: "same").Apply(x), 192, 1, 1);
            x = new Concatenate(axis: -1, name: $"mixed{i}").Apply(b1, b7, bd, bp);
        }
        // mixed 8: 8 × 8
        {
            var b3 = ConvBn(ConvBn(x, 192, 1, 1), 320, 3, 3, strides: 2, padding: "valid");
            var b7 = ConvBn(ConvBn(ConvBn(ConvBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, strides: 2, padding: "valid");
            var bp = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
            x = new Concatenate(axis: -1, name: "mixed8").Apply(b3, b7, bp);
        }
        // mixed 9, 10: 8 × 8
        for (int i = 0; i < 2; i++)
        {
            var b1 = ConvBn(x, 320, 1, 1);
            var b3 = ConvBn(x, 384, 1, 1);
            b3 = new Concatenate(axis: -1, name: $"mixed9_{i}").Apply(ConvBn(b3, 384, 1, 3), ConvBn(b3, 384, 3, 1));
            var bd = ConvBn(ConvBn(x, 448, 1, 1), 384, 3, 3);
            bd = new Concatenate(axis: -1).Apply(ConvBn(bd, 384, 1, 3), ConvBn(bd, 384, 3, 1));
            var bp = ConvBn(new AveragePooling2D(poolSize: 3, strides: 1, padding: "same").Apply(x), 192, 1, 1);
            x = new Concatenate(axis: -1, name: $"mixed{9 + i}").Apply(b1, b3, bd, bp);
        }
        if (includeTop)
        {
            x = new GlobalAveragePooling2D(name: "avg_pool").Apply(x);
            x = new Dense(classes, activation: "softmax", name: "predictions").Apply(x);
        }
        return new Model(inputs, x, name: "inception_v3");
    }

    private static KerasTensor ConvBn(KerasTensor x, int filters, int rows, int cols, int strides = 1, string padding = "same")
    {
        x = new Conv2D(filters, kernelSize: [rows, cols], strides: strides, padding: padding, useBias: false).Apply(x);
        x = new BatchNormalization(scale: false).Apply(x);
        return new Activation("relu").Apply(x);
    }

    /// <summary>
    /// GoogLeNet (Inception v1) as torchvision defines it (<c>googlenet(aux_logits=False)</c>: convolutions without
    /// bias + BatchNormalization(epsilon 1e-3) + ReLU, ceil-mode max pooling, the 3×3 "5×5" branch, dropout 0.2).
    /// 224×224×3, top, 1000 classes: 6,624,904 trainable parameters — torchvision's count (its BatchNorm running
    /// statistics are buffers; here they are the extra non-trainable weights).
    /// </summary>
    /// <param name="includeTop">Include the classifier (global average pooling, dropout 0.2, Dense(classes, softmax)); false ends at the last Inception block.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (224, 224, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model GoogLeNet(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
    {
        CheckClasses(classes, nameof(GoogLeNet));
        var inputs = Keras.Input(shape: Shape(inputShape, [224, 224, 3], nameof(GoogLeNet)));
        var x = new ZeroPadding2D(3).Apply(inputs);
        x = BasicConv(x, 64, 7, strides: 2, padding: "valid");
        x = CeilMaxPool(x, 3, 2);
        x = BasicConv(x, 64, 1);
        x = BasicConv(x, 192, 3);
        x = CeilMaxPool(x, 3, 2);
        x = InceptionV1(x, 64, 96, 128, 16, 32, 32, "inception3a");
        x = InceptionV1(x, 128, 128, 192, 32, 96, 64, "inception3b");
        x = CeilMaxPool(x, 3, 2);
        x = InceptionV1(x, 192, 96, 208, 16, 48, 64, "inception4a");
        x = InceptionV1(x, 160, 112, 224, 24, 64, 64, "inception4b");
        x = InceptionV1(x, 128, 128, 256, 24, 64, 64, "inception4c");
        x = InceptionV1(x, 112, 144, 288, 32, 64, 64, "inception4d");
        x = InceptionV1(x, 256, 160, 320, 32, 128, 128, "inception4e");
        x = CeilMaxPool(x, 2, 2);
        x = InceptionV1(x, 256, 160, 320, 32, 128, 128, "inception5a");
        x = InceptionV1(x, 384, 192, 384, 48, 128, 128, "inception5b");
        if (includeTop)
        {
            x = new GlobalAveragePooling2D().Apply(x);
            x = new Dropout(0.2).Apply(x);
            x = new Dense(classes, activation: "softmax").Apply(x);
        }
        return new Model(inputs, x, name: "googlenet");
    }

    private static KerasTensor BasicConv(KerasTensor x, int filters, int kernel, int strides = 1, string padding = "same")
    {
        x = new Conv2D(filters, kernelSize: kernel, strides: strides, padding: padding, useBias: false).Apply(x);
        x = new BatchNormalization(epsilon: 1e-3).Apply(x);
        return new Activation("relu").Apply(x);
    }

    /// <summary>Max pooling with torch's ceil_mode=True: pad right/bottom so the last partial window counts (zeros never win after ReLU).</summary>
    private static KerasTensor CeilMaxPool(KerasTensor x, int pool, int stride)
    {
        int h = x.Shape[1]!.Value, w = x.Shape[2]!.Value;
        int PadFor(int n) { int outCeil = (int)Math.Ceiling((n - pool) / (double)stride) + 1; return Math.Max(0, (outCeil - 1) * stride + pool - n); }
        int ph = PadFor(h), pw = PadFor(w);
        if (ph > 0 || pw > 0) x = new ZeroPadding2D(((0, ph), (0, pw))).Apply(x);
        return new MaxPooling2D(poolSize: pool, strides: stride).Apply(x);
    }

    private static KerasTensor InceptionV1(KerasTensor x, int c1, int c3r, int c3, int c5r, int c5, int pool, string name)
    {
        var b1 = BasicConv(x, c1, 1);
        var b2 = BasicConv(BasicConv(x, c3r, 1), c3, 3);
        var b3 = BasicConv(BasicConv(x, c5r, 1), c5, 3);
        var b4 = BasicConv(new MaxPooling2D(poolSize: 3, strides: 1, padding: "same").Apply(x), pool, 1);
        return new Concatenate(axis: -1, name: name).Apply(b1, b2, b3, b4);
    }
}
