using Sharpkeras.Layers;

namespace Sharpkeras;

/// <summary>
/// The classic networks, like <c>keras.applications</c>, each built only with the public Sequential/Functional API
/// (they prove the API expresses real architectures). Construction only: no pretrained weights are downloaded.
/// Parameter counts equal the references named on each method.
/// </summary>
public static partial class Applications
{
    private static int?[] Shape(int[]? inputShape, int[] defaultShape, string name)
    {
        var s = inputShape ?? defaultShape;
        if (s.Length != 3 || s.Any(d => d <= 0))
            throw new ArgumentException($"{name}: inputShape must be (height, width, channels) with positive sizes; got ({string.Join(", ", s)}).", nameof(inputShape));
        return s.Select(d => (int?)d).ToArray();
    }

    private static void CheckClasses(int classes, string name)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{name}: classes must be positive.");
    }

    /// <summary>
    /// LeNet-5 as the seeds teach it: Conv2D(6, 5×5, tanh, same) → MaxPooling2D(2) → Conv2D(16, 5×5, tanh) →
    /// MaxPooling2D(2) → Flatten → Dense 120 → 84 → 10 (softmax), on 28×28×1. 61,706 parameters.
    /// </summary>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (28, 28, 1)).</param>
    /// <param name="classes">Number of output classes (default 10).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model LeNet5(int[]? inputShape = null, int classes = 10)
    {
        CheckClasses(classes, nameof(LeNet5));
        return new Sequential(
            [
                new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: Shape(inputShape, [28, 28, 1], nameof(LeNet5))),
                new MaxPooling2D(poolSize: 2),
                new Conv2D(16, kernelSize: 5, activation: "tanh"),
                new MaxPooling2D(poolSize: 2),
                new Flatten(),
                new Dense(120, activation: "tanh"),
                new Dense(84, activation: "tanh"),
                new Dense(classes, activation: "softmax"),
            ], name: "lenet5");
    }

    /// <summary>
    /// AlexNet as torchvision defines it (one tower, no LRN; ReLU; dropout 0.5 in the classifier), on 224×224×3:
    /// with 1000 classes it has 61,100,840 parameters, torchvision's <c>alexnet()</c> count.
    /// </summary>
    /// <param name="includeTop">Include the classifier (Flatten, two Dense(4096) with dropout, Dense(classes, softmax)); false ends at the last max pooling.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (224, 224, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model AlexNet(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
    {
        CheckClasses(classes, nameof(AlexNet));
        var inputs = Keras.Input(shape: Shape(inputShape, [224, 224, 3], nameof(AlexNet)));
        var x = new ZeroPadding2D(2).Apply(inputs);
        x = new Conv2D(64, kernelSize: 11, strides: 4, activation: "relu").Apply(x);
        x = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
        x = new Conv2D(192, kernelSize: 5, padding: "same", activation: "relu").Apply(x);
        x = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
        x = new Conv2D(384, kernelSize: 3, padding: "same", activation: "relu").Apply(x);
        x = new Conv2D(256, kernelSize: 3, padding: "same", activation: "relu").Apply(x);
        x = new Conv2D(256, kernelSize: 3, padding: "same", activation: "relu").Apply(x);
        x = new MaxPooling2D(poolSize: 3, strides: 2).Apply(x);
        if (includeTop)
        {
            x = new Flatten().Apply(x);
            x = new Dropout(0.5).Apply(x);
            x = new Dense(4096, activation: "relu").Apply(x);
            x = new Dropout(0.5).Apply(x);
            x = new Dense(4096, activation: "relu").Apply(x);
            x = new Dense(classes, activation: "softmax").Apply(x);
        }
        return new Model(inputs, x, name: "alexnet");
    }

    /// <summary>VGG16 as in Keras (224×224×3, top, 1000 classes: 138,357,544 parameters).</summary>
    /// <param name="includeTop">Include the classifier (Flatten, Dense(4096) twice, Dense(classes, softmax)), as Keras's <c>include_top</c>; false ends at <c>block5_pool</c>.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (224, 224, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model VGG16(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
        => Vgg([2, 2, 3, 3, 3], includeTop, inputShape, classes, "vgg16");

    /// <summary>VGG19 as in Keras (224×224×3, top, 1000 classes: 143,667,240 parameters).</summary>
    /// <param name="includeTop">Include the classifier (Flatten, Dense(4096) twice, Dense(classes, softmax)), as Keras's <c>include_top</c>; false ends at <c>block5_pool</c>.</param>
    /// <param name="inputShape">(height, width, channels) of one image, channels_last (default (224, 224, 3)).</param>
    /// <param name="classes">Number of output classes of the top (default 1000).</param>
    /// <exception cref="System.ArgumentException"><paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Model VGG19(bool includeTop = true, int[]? inputShape = null, int classes = 1000)
        => Vgg([2, 2, 4, 4, 4], includeTop, inputShape, classes, "vgg19");

    private static Model Vgg(int[] convs, bool includeTop, int[]? inputShape, int classes, string name)
    {
        CheckClasses(classes, name);
        var inputs = Keras.Input(shape: Shape(inputShape, [224, 224, 3], name));
        var x = inputs;
        int[] filters = [64, 128, 256, 512, 512];
        for (int b = 0; b < 5; b++)
        {
            for (int c = 0; c < convs[b]; c++)
                x = new Conv2D(filters[b], kernelSize: 3, padding: "same", activation: "relu", name: $"block{b + 1}_conv{c + 1}").Apply(x);
            x = new MaxPooling2D(poolSize: 2, strides: 2, name: $"block{b + 1}_pool").Apply(x);
        }
        if (includeTop)
        {
            x = new Flatten(name: "flatten").Apply(x);
            x = new Dense(4096, activation: "relu", name: "fc1").Apply(x);
            x = new Dense(4096, activation: "relu", name: "fc2").Apply(x);
            x = new Dense(classes, activation: "softmax", name: "predictions").Apply(x);
        }
        return new Model(inputs, x, name: name);
    }
}
