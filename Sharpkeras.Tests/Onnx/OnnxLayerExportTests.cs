using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Onnx.OnnxTestUtil;

namespace Sharpkeras.Tests.Onnx;

/// <summary>
/// ONNX export of the single-input layers of the catalogue (reshaping, normalization, activations, preprocessing,
/// inference-time identities): each alone in a model, run in ONNX Runtime with two batch sizes and compared with Predict.
/// </summary>
public class OnnxLayerExportTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 33;
    private static TestCaseData Case(string name, Func<Layer> make, params int[] shape) => new TestCaseData(name, make, shape).SetName("Layer_" + name);

    private static IEnumerable<TestCaseData> Layers()
    {
        // Reshaping.
        yield return Case("Cropping1D", () => new Cropping1D((1, 2)), 7, 3);
        yield return Case("Cropping1D_end0", () => new Cropping1D((2, 0)), 7, 3);
        yield return Case("Cropping2D", () => new Cropping2D(((1, 0), (2, 1))), 6, 7, 2);
        yield return Case("Cropping2D_cf", () => new Cropping2D(((1, 2), (0, 1)), dataFormat: "channels_first"), 2, 6, 7);
        yield return Case("ZeroPadding1D", () => new ZeroPadding1D((2, 1)), 5, 3);
        yield return Case("ZeroPadding2D", () => new ZeroPadding2D(((1, 2), (0, 3))), 4, 5, 2);
        yield return Case("ZeroPadding2D_cf", () => new ZeroPadding2D((1, 2), dataFormat: "channels_first"), 2, 4, 5);
        yield return Case("UpSampling1D", () => new UpSampling1D(3), 4, 2);
        yield return Case("UpSampling2D_nearest", () => new UpSampling2D((2, 3)), 3, 4, 2);
        yield return Case("UpSampling2D_bilinear", () => new UpSampling2D(2, interpolation: "bilinear"), 3, 4, 2);
        yield return Case("UpSampling2D_cf", () => new UpSampling2D(2, dataFormat: "channels_first", interpolation: "bilinear"), 2, 3, 4);
        yield return Case("RepeatVector", () => new RepeatVector(4), 3);
        yield return Case("Permute", () => new Permute([3, 1, 2]), 2, 3, 4);
        yield return Case("Flatten_cf", () => new Flatten(dataFormat: "channels_first"), 2, 3, 4);
        yield return Case("Reshape", () => new Reshape([-1, 2]), 3, 4);
        // Convolution and pooling of every rank.
        yield return Case("Conv3D", () => new Conv3D(3, 2, padding: "same", activation: "relu"), 4, 3, 4, 2);
        yield return Case("Conv2D_groups", () => new Conv2D(4, 3, groups: 2, strides: 2), 7, 7, 4);
        yield return Case("DepthwiseConv1D", () => new DepthwiseConv1D(3, depthMultiplier: 2, padding: "same"), 6, 3);
        yield return Case("SeparableConv1D", () => new SeparableConv1D(4, 3, strides: 2), 9, 3);
        yield return Case("MaxPooling3D", () => new MaxPooling3D(2, padding: "same"), 5, 4, 3, 2);
        yield return Case("AveragePooling3D", () => new AveragePooling3D(2), 4, 4, 4, 2);
        yield return Case("AveragePooling2D_same", () => new AveragePooling2D(3, strides: 2, padding: "same"), 7, 6, 2);
        yield return Case("GlobalMaxPooling2D", () => new GlobalMaxPooling2D(keepDims: true), 4, 5, 3);
        yield return Case("GlobalAveragePooling3D", () => new GlobalAveragePooling3D(), 3, 4, 2, 3);
        yield return Case("Cropping3D", () => new Cropping3D(new[] { new[] { 1, 0 }, new[] { 0, 2 }, new[] { 1, 1 } }), 4, 5, 4, 2);
        yield return Case("ZeroPadding3D", () => new ZeroPadding3D(new[] { new[] { 1, 0 }, new[] { 0, 2 }, new[] { 1, 1 } }), 2, 3, 2, 2);
        yield return Case("ZeroPadding3D_cf", () => new ZeroPadding3D((1, 2, 0), dataFormat: "channels_first"), 2, 2, 3, 2);
        yield return Case("UpSampling3D", () => new UpSampling3D((2, 1, 3)), 2, 3, 2, 2);
        yield return Case("UpSampling3D_cf", () => new UpSampling3D(2, dataFormat: "channels_first"), 2, 2, 3, 2);
        yield return Case("AdaptiveAveragePooling1D", () => new AdaptiveAveragePooling1D(3), 7, 2);
        yield return Case("AdaptiveMaxPooling2D", () => new AdaptiveMaxPooling2D((3, 2)), 7, 5, 2);
        yield return Case("AdaptiveAveragePooling2D_cf", () => new AdaptiveAveragePooling2D(4, dataFormat: "channels_first"), 2, 6, 9);
        yield return Case("AdaptiveMaxPooling3D", () => new AdaptiveMaxPooling3D(2), 5, 3, 4, 2);
        yield return Case("AdaptiveAveragePooling3D", () => new AdaptiveAveragePooling3D((2, 3, 1)), 5, 4, 3, 2);
        // Normalization.
        yield return Case("RMSNormalization", () => new RMSNormalization(), 3, 5);
        yield return Case("RMSNormalization_axes", () => new RMSNormalization([1, 2], epsilon: 1e-3), 3, 5);
        yield return Case("LayerNormalization_rms_scaling", () => new LayerNormalization(-1, rmsScaling: true), 3, 5);
        yield return Case("LayerNormalization_multi_axis", () => new LayerNormalization([1, 2]), 3, 4, 2);
        yield return Case("LayerNormalization_axis1", () => new LayerNormalization(1, center: false), 3, 4);
        yield return Case("GroupNormalization", () => new GroupNormalization(groups: 2), 3, 4, 6);
        yield return Case("GroupNormalization_axis1", () => new GroupNormalization(groups: 3, axis: 1), 6, 5);
        yield return Case("GroupNormalization_instance", () => new GroupNormalization(groups: -1, scale: false), 5, 4);
        yield return Case("UnitNormalization", () => new UnitNormalization(), 3, 5);
        yield return Case("UnitNormalization_axes", () => new UnitNormalization([1, 2]), 3, 5);
        yield return Case("BatchNormalization_axis1", () => new BatchNormalization(axis: 1), 3, 4);
        // Activation layers and activations.
        yield return Case("ReLU_all", () => new ReLU(maxValue: 1.5, negativeSlope: 0.1, threshold: 0.2), 6);
        yield return Case("ReLU_threshold", () => new ReLU(threshold: 0.3), 6);
        yield return Case("ReLU_leaky", () => new ReLU(negativeSlope: 0.3), 6);
        yield return Case("Softmax_axes", () => new Softmax([1, 2]), 3, 4);
        yield return Case("Softmax_axis1", () => new Softmax(1), 3, 4);
        yield return Case("PReLU", () => new PReLU(), 3, 4);
        foreach (var a in new[] { "hard_silu", "mish", "celu", "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink", "log_sigmoid",
                                  "sparse_sigmoid", "sparse_plus", "squareplus", "glu", "gelu", "selu", "softplus", "softsign", "hard_sigmoid", "relu6", "elu", "log_softmax" })
            yield return Case("Activation_" + a, () => new Activation(a), 8);
        // Preprocessing at inference.
        yield return Case("Rescaling", () => new Rescaling(1 / 255.0, offset: -0.5), 4, 4, 3);
        yield return Case("Normalization_fixed", () => new Normalization(mean: [0.5, -1.0, 2.0], variance: [4.0, 0.25, 1.0]), 5, 3);
        yield return Case("Normalization_invert", () => new Normalization(mean: [0.5], variance: [4.0], invert: true), 5, 3);
        yield return Case("Resizing_down", () => new Resizing(3, 5), 7, 9, 2);
        yield return Case("Resizing_up", () => new Resizing(9, 6), 4, 5, 2);
        yield return Case("Resizing_nearest", () => new Resizing(5, 3, interpolation: "nearest"), 7, 9, 2);
        yield return Case("Resizing_bicubic", () => new Resizing(9, 7, interpolation: "bicubic"), 4, 5, 2);
        yield return Case("Resizing_crop", () => new Resizing(4, 4, cropToAspectRatio: true), 6, 9, 2);
        yield return Case("Resizing_pad", () => new Resizing(4, 4, padToAspectRatio: true, fillValue: 0.5), 6, 9, 2);
        yield return Case("CenterCrop", () => new CenterCrop(3, 4), 6, 7, 2);
        yield return Case("CenterCrop_up", () => new CenterCrop(8, 6), 5, 7, 2);
        yield return Case("RandomCrop", () => new RandomCrop(3, 4, seed: 1), 6, 7, 2);
        yield return Case("Discretization_one_hot", () => new Discretization([-0.5, 0.0, 0.5], outputMode: "one_hot"), 4);
        yield return Case("Discretization_int", () => new Discretization([-0.5, 0.0, 0.5]), 4);
        // Identities at inference.
        yield return Case("Dropout", () => new Dropout(0.5), 5);
        yield return Case("SpatialDropout1D", () => new SpatialDropout1D(0.5), 4, 5);
        yield return Case("SpatialDropout2D", () => new SpatialDropout2D(0.5), 4, 5, 2);
        yield return Case("SpatialDropout3D", () => new SpatialDropout3D(0.5), 2, 3, 2, 2);
        yield return Case("GaussianDropout", () => new GaussianDropout(0.3), 5);
        yield return Case("AlphaDropout", () => new AlphaDropout(0.3), 5);
        yield return Case("GaussianNoise", () => new GaussianNoise(1.0), 5);
        yield return Case("ActivityRegularization", () => new ActivityRegularization(l1: 0.1), 5);
        yield return Case("Identity", () => new Identity(), 5);
        yield return Case("RandomContrast", () => new RandomContrast(0.5, seed: 1), 4, 4, 3);
        yield return Case("RandomZoom", () => new RandomZoom(0.3, seed: 1), 4, 4, 3);
        yield return Case("RandomBrightness", () => new RandomBrightness(0.2, seed: 1), 4, 4, 3);
        yield return Case("RandomRotation", () => new RandomRotation(0.2, seed: 1), 4, 4, 3);
        yield return Case("ELU", () => new ELU(alpha: 0.7), 5);
        yield return Case("LeakyReLU", () => new LeakyReLU(0.1), 5);
    }

    [TestCaseSource(nameof(Layers))]
    public void LayerMatchesPredict(string name, Func<Layer> make, int[] shape)
    {
        var layer = make();
        var input = Keras.Input(shape: shape.Select(d => (int?)d).ToArray());
        var model = new Model(input, layer.Apply(input), name: name.ToLowerInvariant());
        Randomize(model);
        long[] big = [3, .. shape.Select(d => (long)d)];
        long[] small = [1, .. shape.Select(d => (long)d)];
        Assert.That(ExportAndCompare(model, Dir, [torch.randn(big)], [torch.randn(small)]), Is.LessThanOrEqualTo(1e-4), name);
    }

    [Test]
    public void CategoryEncodingAndTokenAndPositionEmbeddingTakeIntegerIds()
    {
        foreach (var mode in new[] { "one_hot", "multi_hot", "count" })
        {
            var input = Keras.Input(shape: [mode == "one_hot" ? 1 : 5], dtype: ScalarType.Int64);
            var model = new Model(input, new CategoryEncoding(6, outputMode: mode).Apply(input), name: "ce_" + mode);
            long width = mode == "one_hot" ? 1 : 5;
            // Out-of-range ids count for nothing, as in Predict.
            var x = torch.randint(-1, 7, [4, width], dtype: ScalarType.Int64);
            Assert.That(ExportAndCompare(model, Dir, [x], [x[..1]]), Is.LessThanOrEqualTo(1e-4), mode);
        }
        var ids = Keras.Input(shape: [6], dtype: ScalarType.Int64);
        var tpe = new TokenAndPositionEmbedding(maxLen: 10, vocabSize: 20, embedDim: 4);
        var m2 = new Model(ids, new Dense(2).Apply(tpe.Apply(ids)), name: "tpe");
        Randomize(m2);
        var t = torch.randint(0, 20, [3, 6], dtype: ScalarType.Int64);
        Assert.That(ExportAndCompare(m2, Dir, [t], [t[..1]]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void NormalizationAdaptedAndTimeDistributedConvMatchPredict()
    {
        var norm = new Normalization(axis: -1);
        norm.Adapt(torch.randn(50, 4, 3) * 3 + 1);
        var input = Keras.Input(shape: [4, 3]);
        var model = new Model(input, norm.Apply(input), name: "adapted");
        Assert.That(ExportAndCompare(model, Dir, [torch.randn(2, 4, 3)], [torch.randn(1, 4, 3)]), Is.LessThanOrEqualTo(1e-4));

        // TimeDistributed around any layer: (batch, time) folded into one axis.
        var frames = Keras.Input(shape: [3, 6, 6, 2]);
        var h = new TimeDistributed(new Conv2D(3, 3, activation: "relu")).Apply(frames);
        h = new TimeDistributed(new GlobalAveragePooling2D()).Apply(h);
        var m2 = new Model(frames, new LSTM(4).Apply(h), name: "td");
        Randomize(m2);
        Assert.That(ExportAndCompare(m2, Dir, [torch.randn([2, 3, 6, 6, 2])], [torch.randn([1, 3, 6, 6, 2])]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void MaskingLayerMasksTheRecurrentLayerAfterIt()
    {
        var input = Keras.Input(shape: [5, 3]);
        var h = new Masking(maskValue: 0.0).Apply(input);
        h = new Dense(4, activation: "tanh").Apply(h);
        h = new LayerNormalization().Apply(h);
        var model = new Model(input, new GRU(3).Apply(h), name: "masking");
        Randomize(model);
        var x = torch.randn(4, 5, 3);
        x[0, 3..] = torch.tensor(0f);
        x[2, 1..] = torch.tensor(0f);
        x[3, 2] = torch.tensor(0f); // a masked step in the middle
        Assert.That(ExportAndCompare(model, Dir, [x], [x[..1]]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void OpsetEighteenIsWrittenWithItsOperatorForms()
    {
        // Opset 18 moved the reduce axes to an input and needs Split's num_outputs: the same model runs in both.
        var input = Keras.Input(shape: [4, 6]);
        var h = new LayerNormalization([1, 2]).Apply(input);
        h = new GlobalMaxPooling1D().Apply(h);
        var model = new Model(input, new Activation("glu").Apply(h), name: "opset18");
        Randomize(model);
        var path = Path.Combine(Dir, "o18.onnx");
        model.ExportOnnx(path, opset: 18);
        var x = torch.randn(2, 4, 6);
        Assert.That(MaxDiff(Run(path, x)[0], model.Predict(x, verbose: 0)), Is.LessThanOrEqualTo(1e-4));
    }
}
