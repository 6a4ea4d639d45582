using Sharpkeras.Layers;
using Sharpkeras.Losses;
using Sharpkeras.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

public static partial class Applications
{
    /// <summary>
    /// A DCGAN for 28×28×1 images in [-1, 1] (Keras's DCGAN example, sized for MNIST): a generator
    /// (Dense → Reshape(7, 7, 128) → Conv2DTranspose 128 and 64 with stride 2 → Conv2D(1, 7, tanh)) and a
    /// discriminator (Conv2D 64 and 128 with stride 2, LeakyReLU(0.2), Flatten, Dropout(0.2), Dense(1, sigmoid)),
    /// trained by the overridden <see cref="GAN.TrainStep"/>. Compile it with <see cref="GAN.Compile(object, object, object?)"/>.
    /// </summary>
    /// <param name="latentDim">Size of the generator's noise vector (default 128).</param>
    /// <param name="imageShape">(28, 28, channels) of one image (default (28, 28, 1)); the architecture makes 28×28 images only.</param>
    /// <exception cref="System.ArgumentException"><paramref name="imageShape"/> is not 28×28.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="latentDim"/> is not positive.</exception>
    public static GAN DCGAN(int latentDim = 128, int[]? imageShape = null)
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be positive.");
        var shape = Shape(imageShape, [28, 28, 1], nameof(DCGAN));
        if (shape[0] != 28 || shape[1] != 28)
            throw new ArgumentException($"DCGAN: this architecture makes 28×28 images; got {shape[0]}×{shape[1]}.", nameof(imageShape));
        int channels = shape[2]!.Value;
        var generator = new Sequential(
            [
                new Dense(7 * 7 * 128, inputShape: [latentDim]),
                new LeakyReLU(negativeSlope: 0.2),
                new Reshape([7, 7, 128]),
                new Conv2DTranspose(128, kernelSize: 4, strides: 2, padding: "same"),
                new LeakyReLU(negativeSlope: 0.2),
                new Conv2DTranspose(64, kernelSize: 4, strides: 2, padding: "same"),
                new LeakyReLU(negativeSlope: 0.2),
                new Conv2D(channels, kernelSize: 7, padding: "same", activation: "tanh"),
            ], name: "generator");
        var discriminator = new Sequential(
            [
                new Conv2D(64, kernelSize: 4, strides: 2, padding: "same", inputShape: shape),
                new LeakyReLU(negativeSlope: 0.2),
                new Conv2D(128, kernelSize: 4, strides: 2, padding: "same"),
                new LeakyReLU(negativeSlope: 0.2),
                new Flatten(),
                new Dropout(0.2),
                new Dense(1, activation: "sigmoid"),
            ], name: "discriminator");
        return new GAN(discriminator, generator, latentDim);
    }
}

/// <summary>
/// A generative adversarial network trained with a custom <see cref="TrainStep"/> (Keras's GAN example):
/// each step updates the discriminator on real and generated images, then the generator through the frozen
/// discriminator. Logs "d_loss" and "g_loss" (epoch means). Calling the model generates images from noise.
/// </summary>
public sealed class GAN : Model
{
    private Optimizers.Optimizer? _dOptimizer;
    private Optimizers.Optimizer? _gOptimizer;
    private Loss? _lossFn;
    private readonly Mean _dLoss = new("d_loss");
    private readonly Mean _gLoss = new("g_loss");

    /// <summary>Creates the GAN from its two networks.</summary>
    /// <param name="discriminator">The discriminator: image → probability (0 to 1) that the image is real.</param>
    /// <param name="generator">The generator: noise vector of <paramref name="latentDim"/> values → image.</param>
    /// <param name="latentDim">Size of the noise vector the generator takes (&gt; 0).</param>
    /// <param name="name">The model's name (default "gan").</param>
    public GAN(Model discriminator, Model generator, int latentDim, string? name = null) : base(name ?? "gan")
    {
        Discriminator = discriminator ?? throw new ArgumentNullException(nameof(discriminator));
        Generator = generator ?? throw new ArgumentNullException(nameof(generator));
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be positive.");
        LatentDim = latentDim;
        TrackLayer(discriminator);
        TrackLayer(generator);
    }

    /// <summary>The discriminator: image → probability that it is real.</summary>
    public Model Discriminator { get; }

    /// <summary>The generator: noise (latentDim) → image in [-1, 1].</summary>
    public Model Generator { get; }

    /// <summary>Size of the noise vector.</summary>
    public int LatentDim { get; }

    /// <summary>Sets the two optimizers and the loss (default binary cross-entropy).</summary>
    /// <param name="dOptimizer">The discriminator's optimizer: an alias ("adam") or an Optimizer object.</param>
    /// <param name="gOptimizer">The generator's optimizer; must be a different object from <paramref name="dOptimizer"/>.</param>
    /// <param name="lossFn">The loss on the discriminator's output: an alias or a Loss (default "binary_crossentropy").</param>
    /// <exception cref="System.ArgumentException">Both optimizers are the same object.</exception>
    public void Compile(object dOptimizer, object gOptimizer, object? lossFn = null)
    {
        _dOptimizer = Optimizers.Optimizer.Get(dOptimizer);
        _gOptimizer = Optimizers.Optimizer.Get(gOptimizer);
        if (ReferenceEquals(_dOptimizer, _gOptimizer))
            throw new ArgumentException("The discriminator and the generator need two different optimizer objects.", nameof(gOptimizer));
        _lossFn = Loss.Get(lossFn ?? "binary_crossentropy");
        base.Compile(optimizer: _dOptimizer);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Generator.Apply(inputs, training);

    /// <inheritdoc />
    public override void ResetMetrics()
    {
        base.ResetMetrics();
        _dLoss.ResetState();
        _gLoss.ResetState();
    }

    /// <summary>One GAN step on a batch of real images (data[0]).</summary>
    /// <param name="data">The batch; <c>data[0]</c> holds the real images (other elements are ignored).</param>
    /// <returns><c>d_loss</c> and <c>g_loss</c>, averaged since the last metric reset.</returns>
    public override IReadOnlyDictionary<string, Tensor> TrainStep(Tensor[] data)
    {
        if (_dOptimizer is null || _gOptimizer is null || _lossFn is null)
            throw new InvalidOperationException("Compile the GAN with Compile(dOptimizer, gOptimizer, lossFn) before training.");
        var real = data[0];
        long batch = real.shape[0];
        var device = real.device;

        // 1. Discriminator: real → 1, generated → 0.
        Tensor fake;
        using (torch.no_grad())
            fake = Generator.Apply(torch.randn(batch, LatentDim, device: device), training: true);
        var images = torch.cat([real, fake], 0);
        var labels = torch.cat([torch.ones(batch, 1, device: device), torch.zeros(batch, 1, device: device)], 0);
        var dLoss = _lossFn.Compute(labels, Discriminator.Apply(images, training: true));
        if (!_dOptimizer.Built) _dOptimizer.Build(Discriminator.TrainableWeights);
        _dOptimizer.ZeroGrad();
        dLoss.backward();
        _dOptimizer.Step();

        // 2. Generator: make the discriminator say "real"; only the generator's weights move.
        var generated = Generator.Apply(torch.randn(batch, LatentDim, device: device), training: true);
        var gLoss = _lossFn.Compute(torch.ones(batch, 1, device: device), Discriminator.Apply(generated, training: true));
        if (!_gOptimizer.Built) _gOptimizer.Build(Generator.TrainableWeights);
        _gOptimizer.ZeroGrad();
        gLoss.backward();
        _gOptimizer.Step();
        _dOptimizer.ZeroGrad();

        _dLoss.Update(dLoss, batch);
        _gLoss.Update(gLoss, batch);
        return new Dictionary<string, Tensor> { ["d_loss"] = _dLoss.Result(), ["g_loss"] = _gLoss.Result() };
    }
}
