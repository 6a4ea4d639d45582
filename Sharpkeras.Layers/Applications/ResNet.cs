using Sharpkeras.Layers;

namespace Sharpkeras;

public static partial class Applications
{
    /// <summary>
    /// ResNet50 as in Keras (<c>keras.applications.ResNet50</c>: bottleneck blocks 3-4-6-3, convolutions with
    /// biases, BatchNormalization epsilon 1.001e-5). 224×224×3, top, 1000 classes: 25,636,712 parameters
    /// (53,120 of them non-trainable moving statistics).
    /// </summary>
    /// <param name="includeTop">Include the classifier (global average pooling, Dense(classes, softmax)), as Keras's <c>include_top</c>; false ends at the last residual stage.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (224, 224, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model ResNet50(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
    {
        CheckClasses(classes, nameof(ResNet50));
        var inputs = Keras.Input(shape: Shape(inputShape, [224, 224, 3], nameof(ResNet50)));
        var x = new ZeroPadding2D(3, name: "conv1_pad").Apply(inputs);
        x = new Conv2D(64, kernelSize: 7, strides: 2, name: "conv1_conv").Apply(x);
        x = new BatchNormalization(epsilon: 1.001e-5, name: "conv1_bn").Apply(x);
        x = new Activation("relu", name: "conv1_relu").Apply(x);
        x = new ZeroPadding2D(1, name: "pool1_pad").Apply(x);
        x = new MaxPooling2D(poolSize: 3, strides: 2, name: "pool1_pool").Apply(x);
        (int filters, int blocks, int stride)[] stacks = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)];
        for (int s = 0; s < stacks.Length; s++)
        {
            var (f, n, stride) = stacks[s];
            x = Bottleneck(x, f, stride, convShortcut: true, $"conv{s + 2}_block1");
            for (int b = 2; b <= n; b++) x = Bottleneck(x, f, 1, convShortcut: false, $"conv{s + 2}_block{b}");
        }
        if (includeTop)
        {
            x = new GlobalAveragePooling2D(name: "avg_pool").Apply(x);
            x = new Dense(classes, activation: "softmax", name: "predictions").Apply(x);
        }
        return new Model(inputs, x, name: "resnet50");
    }

    private static KerasTensor Bottleneck(KerasTensor x, int filters, int stride, bool convShortcut, string name)
    {
        KerasTensor shortcut = x;
        if (convShortcut)
        {
            shortcut = new Conv2D(4 * filters, kernelSize: 1, strides: stride, name: name + "_0_conv").Apply(x);
            shortcut = new BatchNormalization(epsilon: 1.001e-5, name: name + "_0_bn").Apply(shortcut);
        }
        x = new Conv2D(filters, kernelSize: 1, strides: stride, name: name + "_1_conv").Apply(x);
        x = new BatchNormalization(epsilon: 1.001e-5, name: name + "_1_bn").Apply(x);
        x = new Activation("relu", name: name + "_1_relu").Apply(x);
        x = new Conv2D(filters, kernelSize: 3, padding: "same", name: name + "_2_conv").Apply(x);
        x = new BatchNormalization(epsilon: 1.001e-5, name: name + "_2_bn").Apply(x);
        x = new Activation("relu", name: name + "_2_relu").Apply(x);
        x = new Conv2D(4 * filters, kernelSize: 1, name: name + "_3_conv").Apply(x);
        x = new BatchNormalization(epsilon: 1.001e-5, name: name + "_3_bn").Apply(x);
        x = new Add(name: name + "_add").Apply(shortcut, x);
        return new Activation("relu", name: name + "_out").Apply(x);
    }

    /// <summary>
    /// ResNet18 as torchvision defines it (basic blocks 2-2-2-2, convolutions without bias, 1×1 projection
    /// shortcuts). 224×224×3, top, 1000 classes: 11,689,512 trainable parameters — torchvision's
    /// <c>resnet18()</c> count (its BatchNorm running statistics are buffers; here they are the 9,600
    /// non-trainable weights on top).
    /// </summary>
    /// <param name="includeTop">Include the classifier (global average pooling, Dense(classes, softmax)); false ends at the last residual stage.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (224, 224, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model ResNet18(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
    {
        CheckClasses(classes, nameof(ResNet18));
        var inputs = Keras.Input(shape: Shape(inputShape, [224, 224, 3], nameof(ResNet18)));
        var x = new ZeroPadding2D(3).Apply(inputs);
        x = new Conv2D(64, kernelSize: 7, strides: 2, useBias: false).Apply(x);
        x = new BatchNormalization(epsilon: 1e-5).Apply(x);
        x = new Activation("relu").Apply(x);
        x = new ZeroPadding2D(1).Apply(x);
        x = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
        int inChannels = 64;
        int[] widths = [64, 128, 256, 512];
        for (int s = 0; s < 4; s++)
        {
            for (int b = 0; b < 2; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                x = BasicBlock(x, widths[s], stride, projection: stride != 1 || inChannels != widths[s]);
                inChannels = widths[s];
            }
        }
        if (includeTop)
        {
            x = new GlobalAveragePooling2D().Apply(x);
            x = new Dense(classes, activation: "softmax").Apply(x);
        }
        return new Model(inputs, x, name: "resnet18");
    }

    private static KerasTensor BasicBlock(KerasTensor x, int filters, int stride, bool projection)
    {
        KerasTensor shortcut = x;
        if (projection)
        {
            shortcut = new Conv2D(filters, kernelSize: 1, strides: stride, useBias: false).Apply(x);
            shortcut = new BatchNormalization(epsilon: 1e-5).Apply(shortcut);
        }
        if (stride != 1) x = new ZeroPadding2D(1).Apply(x);
        x = new Conv2D(filters, kernelSize: 3, strides: stride, padding: stride == 1 ? "same" : "valid", useBias: false).Apply(x);
        x = new BatchNormalization(epsilon: 1e-5).Apply(x);
        x = new Activation("relu").Apply(x);
        x = new Conv2D(filters, kernelSize: 3, padding: "same", useBias: false).Apply(x);
        x = new BatchNormalization(epsilon: 1e-5).Apply(x);
        x = new Add().Apply(shortcut, x);
        return new Activation("relu").Apply(x);
    }
}
