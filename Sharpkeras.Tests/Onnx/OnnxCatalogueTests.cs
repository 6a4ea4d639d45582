using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Onnx.OnnxTestUtil;

namespace Sharpkeras.Tests.Onnx;

/// <summary>
/// Every public layer class of Sharpkeras.Layers is either exported to ONNX (and checked in ONNX Runtime by the ONNX
/// tests) or listed here as not exported, with a clear error naming the layer. A new layer must be put in one list.
/// </summary>
public class OnnxCatalogueTests
{
    /// <summary>Layers the exporter converts (each checked against Predict in the ONNX tests).</summary>
    private static readonly string[] Exported =
    [
        "Activation", "ActivityRegularization", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
        "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "AlphaDropout", "Add", "AdditiveAttention", "Attention", "Average", "AveragePooling1D", "AveragePooling2D",
        "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "BatchNormalization", "Bidirectional", "CategoryEncoding", "CenterCrop",
        "Concatenate", "Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Cropping1D", "Cropping2D", "Cropping3D",
        "Dense", "DepthwiseConv1D", "DepthwiseConv2D", "Discretization", "Dot", "Dropout", "ELU", "Embedding", "Flatten", "GRU",
        "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
        "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
        "GlobalMaxPooling3D", "GroupNormalization", "Identity", "LSTM", "LayerNormalization", "LeakyReLU", "Masking", "MaxPool1D", "MaxPool2D",
        "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "MultiHeadAttention", "Multiply", "Normalization",
        "PReLU", "Permute", "RMSNormalization", "RNN", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation",
        "RandomZoom", "ReLU", "RepeatVector", "Rescaling", "Reshape", "Resizing", "SeparableConv1D", "SeparableConv2D", "SimpleRNN", "Softmax",
        "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Subtract", "TimeDistributed", "TokenAndPositionEmbedding", "UnitNormalization", "UpSampling1D",
        "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    ];

    /// <summary>
    /// Not exported: C# code (Lambda, the subclassed GAN), string and hash-table preprocessing (ONNX has no cheap
    /// equivalent of their vocabularies and hashing), the ConvLSTM layers (no conversion yet), and RNN cells, which are parts of an RNN layer rather than
    /// layers of a model (RNN around StackedRNNCells or a custom cell is refused with an error naming the layer).
    /// </summary>
    private static readonly string[] NotExported =
    [
        "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "ConvLSTMCell", "GAN", "GRUCell", "Hashing", "IntegerLookup", "LSTMCell", "Lambda", "SimpleRNNCell", "StackedRNNCells", "StringLookup", "TextVectorization",
    ];

    [Test]
    public void EveryLayerClassIsInExactlyOneList()
    {
        var classes = typeof(Dense).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && typeof(Layer).IsAssignableFrom(t))
            .Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.That(Exported.Intersect(NotExported), Is.Empty);
        Assert.That(Exported.Concat(NotExported).OrderBy(n => n, StringComparer.Ordinal), Is.EqualTo(classes),
            "a layer class was added or removed: decide whether the ONNX exporter converts it");
    }

    [Test]
    public void NotExportedLayersFailNamingTheLayer()
    {
        var dir = TempDir();
        try
        {
            void Refused(Model model, string layerName, string className)
            {
                var path = Path.Combine(dir, model.Name + ".onnx");
                var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path))!;
                Assert.That(e.Message, Does.Contain($"'{layerName}'").And.Contain(className));
                Assert.That(File.Exists(path), Is.False);
            }
            var ids = Keras.Input(shape: [4], dtype: ScalarType.Int64);
            Refused(new Model(ids, new Hashing(numBins: 8, name: "hasher").Apply(ids), name: "h"), "hasher", "Hashing");
            Refused(new Model(ids, new IntegerLookup(vocabulary: [3L, 5L, 7L], name: "lookup").Apply(ids), name: "l"), "lookup", "IntegerLookup");
            var seq = Keras.Input(shape: [3, 2]);
            var stacked = new RNN(new StackedRNNCells([new SimpleRNNCell(2), new SimpleRNNCell(3)]), name: "stacked");
            Refused(new Model(seq, stacked.Apply(seq), name: "s"), "stacked", "StackedRNNCells");
            // A stateful layer carries state between calls: no single inference graph reproduces it.
            var stateful = new Sequential(new LSTM(2, stateful: true, name: "carry", inputShape: [3, 2]));
            Refused(stateful, "carry", "stateful");
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
