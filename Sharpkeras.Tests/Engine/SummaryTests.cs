using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Display;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Engine;

/// <summary>
/// Model.Summary against the text Keras 3 prints. The expected tables were derived by hand from Keras's
/// keras/src/utils/summary_utils.py (rows: names, shapes and parameter counts computed below; totals with
/// Keras's readable_memory_size) and laid out with the same rich.table.Table call Keras makes
/// (Column widths from the positions, width=line_length, show_lines=True, print_fn mode without colours).
/// </summary>
public class SummaryTests
{
    [SetUp]
    public void Setup() => Keras.ClearSession();

    private static Sequential LeNet5() => new(
        new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
        new MaxPooling2D(poolSize: 2),
        new Conv2D(16, kernelSize: 5, activation: "tanh"),
        new MaxPooling2D(2),
        new Flatten(),
        new Dense(120, activation: "tanh"),
        new Dense(84, activation: "tanh"),
        new Dense(10, activation: "softmax"));

    private static Model CifarCnn()
    {
        var inputs = Keras.Input(shape: [32, 32, 3]);
        var x = inputs;
        foreach (var f in new[] { 32, 64, 128 })
        {
            x = new Conv2D(f, kernelSize: 3).Apply(x);
            x = new BatchNormalization().Apply(x);
            x = new Activation("relu").Apply(x);
            if (f != 128) x = new MaxPooling2D(2).Apply(x);
        }
        x = new GlobalAveragePooling2D().Apply(x);
        return new Model(inputs, new Dense(10).Apply(x), name: "cifar_cnn");
    }

    private static string Text(IEnumerable<string> lines) => string.Join("\n", lines);

    [Test]
    public void LeNet5MatchesKerasLineByLine()
    {
        // conv 5·5·1·6+6 = 156; conv 5·5·6·16+16 = 2,416; dense 400·120+120 = 48,120; 120·84+84 = 10,164; 84·10+10 = 850
        // total 61,706 params · 4 B = 246,824 B = 241.04 KB
        const string expected = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ conv2d (Conv2D)                      │ (None, 28, 28, 6)           │             156 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ max_pooling2d (MaxPooling2D)         │ (None, 14, 14, 6)           │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ conv2d_1 (Conv2D)                    │ (None, 10, 10, 16)          │           2,416 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ max_pooling2d_1 (MaxPooling2D)       │ (None, 5, 5, 16)            │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ flatten (Flatten)                    │ (None, 400)                 │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense (Dense)                        │ (None, 120)                 │          48,120 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense_1 (Dense)                      │ (None, 84)                  │          10,164 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense_2 (Dense)                      │ (None, 10)                  │             850 │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 61,706 (241.04 KB)
         Trainable params: 61,706 (241.04 KB)
         Non-trainable params: 0 (0.00 B)
        """;
        var model = LeNet5();
        var printed = new List<string>();
        model.Summary(lineLength: 88, printFn: printed.Add);
        Assert.That(Text(printed), Is.EqualTo(expected));
        Assert.That(Text(model.SummaryLines(lineLength: 88)), Is.EqualTo(expected));
    }

    [Test]
    public void NonTerminalDefaultWidthIs76LikeKeras()
    {
        // Keras: min(88, terminal columns - 4); a pipe reports 80 columns.
        const string expected = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
        │ conv2d (Conv2D)                 │ (None, 28, 28, 6)      │           156 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ max_pooling2d (MaxPooling2D)    │ (None, 14, 14, 6)      │             0 │
        └─────────────────────────────────┴────────────────────────┴───────────────┘
        """;
        var model = LeNet5();
        var lines = model.SummaryLines(lineLength: 76, layerRange: ["conv2d", "max_pooling2d$"]);
        Assert.That(Text(lines.Take(lines.Count - 3)), Is.EqualTo(expected));
    }

    [Test]
    public void FunctionalCifarCnnMatchesKerasLineByLine()
    {
        // A chain of layers: Keras prints it "sequential-like" (three columns) with the InputLayer row;
        // long names wrap at the space. BN: 4·C (2·C non-trainable).
        const string expected = """
        Model: "cifar_cnn"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ input_layer (InputLayer)             │ (None, 32, 32, 3)           │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ conv2d (Conv2D)                      │ (None, 30, 30, 32)          │             896 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ batch_normalization                  │ (None, 30, 30, 32)          │             128 │
        │ (BatchNormalization)                 │                             │                 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ activation (Activation)              │ (None, 30, 30, 32)          │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ max_pooling2d (MaxPooling2D)         │ (None, 15, 15, 32)          │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ conv2d_1 (Conv2D)                    │ (None, 13, 13, 64)          │          18,496 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ batch_normalization_1                │ (None, 13, 13, 64)          │             256 │
        │ (BatchNormalization)                 │                             │                 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ activation_1 (Activation)            │ (None, 13, 13, 64)          │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ max_pooling2d_1 (MaxPooling2D)       │ (None, 6, 6, 64)            │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ conv2d_2 (Conv2D)                    │ (None, 4, 4, 128)           │          73,856 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ batch_normalization_2                │ (None, 4, 4, 128)           │             512 │
        │ (BatchNormalization)                 │                             │                 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ activation_2 (Activation)            │ (None, 4, 4, 128)           │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ global_average_pooling2d             │ (None, 128)                 │               0 │
        │ (GlobalAveragePooling2D)             │                             │                 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense (Dense)                        │ (None, 10)                  │           1,290 │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 95,434 (372.79 KB)
         Trainable params: 94,986 (371.04 KB)
         Non-trainable params: 448 (1.75 KB)
        """;
        Assert.That(Text(CifarCnn().SummaryLines(lineLength: 88)), Is.EqualTo(expected));
    }

    [Test]
    public void BranchingGraphGetsConnectedToColumnInKerasOrder()
    {
        const string expected = """
        Model: "two_inputs"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
        │ input_layer (InputLayer)      │ (None, 16)                │               0 │ -                          │
        ├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
        │ input_layer_1 (InputLayer)    │ (None, 8)                 │               0 │ -                          │
        ├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
        │ dense (Dense)                 │ (None, 4)                 │              68 │ input_layer[0][0]          │
        ├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
        │ dense_1 (Dense)               │ (None, 4)                 │              36 │ input_layer_1[0][0]        │
        ├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
        │ concatenate (Concatenate)     │ (None, 8)                 │               0 │ dense[0][0], dense_1[0][0] │
        ├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
        │ dense_2 (Dense)               │ (None, 1)                 │               9 │ concatenate[0][0]          │
        └───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
         Total params: 113 (452.00 B)
         Trainable params: 113 (452.00 B)
         Non-trainable params: 0 (0.00 B)
        """;
        var a = Keras.Input(shape: [16]);
        var b = Keras.Input(shape: [8]);
        var da = new Dense(4).Apply(a);     // 16·4+4 = 68
        var db = new Dense(4).Apply(b);     // 8·4+4 = 36
        var c = new Concatenate().Apply(da, db);
        var model = new Model([a, b], [new Dense(1).Apply(c)], name: "two_inputs"); // 8+1 = 9
        Assert.That(Text(model.SummaryLines(lineLength: 108)), Is.EqualTo(expected));
    }

    [Test]
    public void ShowTrainableAddsKerasColumn()
    {
        // Keras widens the default line by 12, scales positions by 0.9 and adds a centred column; its header
        // "Trainable" does not fit its 7 characters and rich cuts it with an ellipsis, as Keras prints it.
        const string expected = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
        ┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
        │ conv2d (Conv2D)                       │ (None, 28, 28, 6)             │            156 │    Y    │
        ├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
        │ max_pooling2d (MaxPooling2D)          │ (None, 14, 14, 6)             │              0 │    -    │
        ├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
        │ flatten (Flatten)                     │ (None, 1176)                  │              0 │    -    │
        ├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
        │ dense (Dense)                         │ (None, 10)                    │         11,770 │    N    │
        └───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
         Total params: 11,926 (46.59 KB)
         Trainable params: 156 (624.00 B)
         Non-trainable params: 11,770 (45.98 KB)
        """;
        var model = new Sequential(
            new Conv2D(6, kernelSize: 5, padding: "same", inputShape: [28, 28, 1]),
            new MaxPooling2D(2), new Flatten(), new Dense(10));
        model.Layers[3].Trainable = false;   // 14·14·6·10 + 10 = 11,770 non-trainable; 11,770·4 B = 45.98 KB
        Assert.That(Text(model.SummaryLines(lineLength: 100, showTrainable: true)), Is.EqualTo(expected));
    }

    [Test]
    public void UnbuiltModelPrintsQuestionMarksInsteadOfThrowing()
    {
        const string expected = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ dense (Dense)                        │ ?                           │     0 (unbuilt) │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense_1 (Dense)                      │ ?                           │     0 (unbuilt) │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 0 (0.00 B)
         Trainable params: 0 (0.00 B)
         Non-trainable params: 0 (0.00 B)
        """;
        var model = new Sequential(new Dense(4), new Dense(1));
        Assert.That(Text(model.SummaryLines(lineLength: 88)), Is.EqualTo(expected));
    }

    [Test]
    public void ExpandNestedListsInnerLayers()
    {
        const string expected = """
        Model: "outer"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ inner (Sequential)                   │ (None, 2)                   │              26 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │    └ dense (Dense)                   │ (None, 4)                   │              16 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │    └ dense_1 (Dense)                 │ (None, 2)                   │              10 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense_2 (Dense)                      │ (None, 1)                   │               3 │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 29 (116.00 B)
         Trainable params: 29 (116.00 B)
         Non-trainable params: 0 (0.00 B)
        """;
        var inner = new Sequential([new Dense(4, inputShape: [3]), new Dense(2)], name: "inner");
        var outer = new Sequential([inner, new Dense(1)], name: "outer");
        outer.Build([3]);
        Assert.That(Text(outer.SummaryLines(lineLength: 88, expandNested: true)), Is.EqualTo(expected));
        Assert.That(outer.SummaryLines(lineLength: 88), Has.None.Contains("└ dense"));
    }

    [Test]
    public void NarrowLineWrapsCellsAndBottomAlignsHeader()
    {
        const string expected = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
        ┃                 ┃ Output     ┃ Param ┃
        ┃ Layer (type)    ┃ Shape      ┃     # ┃
        ┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
        │ conv2d (Conv2D) │ (None, 28, │   156 │
        │                 │ 28, 6)     │       │
        ├─────────────────┼────────────┼───────┤
        │ max_pooling2d   │ (None, 14, │     0 │
        │ (MaxPooling2D)  │ 14, 6)     │       │
        └─────────────────┴────────────┴───────┘
        """;
        var lines = LeNet5().SummaryLines(lineLength: 40, layerRange: ["conv2d$", "max_pooling2d$"]);
        Assert.That(Text(lines.Take(lines.Count - 3)), Is.EqualTo(expected));
    }

    [Test]
    public void LayerRangeSelectsRowsByRegex()
    {
        var model = LeNet5();
        var text = Text(model.SummaryLines(lineLength: 88, layerRange: ["conv2d_1", "flatten"]));
        Assert.That(text, Does.Contain("│ conv2d_1 (Conv2D) "));
        Assert.That(text, Does.Contain("│ max_pooling2d_1 (MaxPooling2D) "));
        Assert.That(text, Does.Contain("│ flatten (Flatten) "));
        Assert.That(text, Does.Not.Contain("│ conv2d (Conv2D)"));
        Assert.That(text, Does.Not.Contain("dense"));
        // Totals are the whole model's, as in Keras.
        Assert.That(text, Does.Contain(" Total params: 61,706 (241.04 KB)"));
        Assert.Throws<ArgumentException>(() => model.SummaryLines(layerRange: ["nope", "flatten"]));
        Assert.Throws<ArgumentException>(() => model.SummaryLines(layerRange: ["conv2d"]));
    }

    [Test]
    public void BadOptionsThrowNamingTheArgument()
    {
        var model = LeNet5();
        var e = Assert.Throws<ArgumentException>(() => model.SummaryLines(lineLength: 10))!;
        Assert.That(e.ParamName, Is.EqualTo("lineLength"));
        Assert.That(e.Message, Does.Contain("Insufficient console width"));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.SummaryLines(lineLength: 0));
        var p = Assert.Throws<ArgumentException>(() => model.SummaryLines(positions: [0.5, 1.0]))!;
        Assert.That(p.ParamName, Is.EqualTo("positions"));
    }

    [Test]
    public void AbsolutePositionsAreCharacterColumns()
    {
        var rel = LeNet5().SummaryLines(lineLength: 88);
        Keras.ClearSession();
        var abs = LeNet5().SummaryLines(lineLength: 88, positions: [39, 70, 88]);
        Assert.That(abs, Is.EqualTo(rel));   // int(0.45·88) = 39, int(0.80·88) = 70
    }

    [Test]
    public void AfterTrainingOptimizerParamsAreCountedLikeKeras()
    {
        var model = LeNet5();
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        Assert.That(Text(model.SummaryLines(lineLength: 88)), Does.Not.Contain("Optimizer params"));
        model.Fit(torch.rand(4, 28, 28, 1), torch.randint(0, 10, [4], dtype: ScalarType.Int64), batchSize: 4, epochs: 1, verbose: 0);
        var tail = model.SummaryLines(lineLength: 88).TakeLast(4).ToList();
        // Keras's Adam holds iteration (int32) + learning_rate + momentum and velocity per weight:
        // 2 + 2·61,706 = 123,414 → 493,656 B = 482.09 KB. Total 185,120 → 740,480 B = 723.125 KB, which
        // Python's "{:.2f}" rounds half to even: "723.12".
        Assert.That(tail, Is.EqualTo(new[]
        {
            " Total params: 185,120 (723.12 KB)",
            " Trainable params: 61,706 (241.04 KB)",
            " Non-trainable params: 0 (0.00 B)",
            " Optimizer params: 123,414 (482.09 KB)",
        }));
    }

    [Test]
    public void OptimizerVariableCountsFollowKerasSlots()
    {
        var model = new Sequential(new Dense(3, inputShape: [2]));   // 9 weights
        (string, object, long)[] cases =
        [
            ("sgd", new Sharpkeras.Optimizers.SGD(), 2),
            ("sgd+momentum", new Sharpkeras.Optimizers.SGD(momentum: 0.9), 2 + 9),
            ("adam amsgrad", new Sharpkeras.Optimizers.Adam(amsgrad: true), 2 + 27),
            ("rmsprop centered momentum", new Sharpkeras.Optimizers.RMSprop(momentum: 0.5, centered: true), 2 + 27),
            ("adagrad", new Sharpkeras.Optimizers.Adagrad(), 2 + 9),
            ("adadelta", new Sharpkeras.Optimizers.Adadelta(), 2 + 18),
            ("adamax", new Sharpkeras.Optimizers.Adamax(), 2 + 18),
            ("nadam", new Sharpkeras.Optimizers.Nadam(), 3 + 18),
        ];
        foreach (var (name, opt, expected) in cases)
        {
            var o = (Sharpkeras.Optimizers.Optimizer)opt;
            o.Build(model.TrainableWeights);
            Assert.That(OptimizerVariables.CountAndBytes(o).count, Is.EqualTo(expected), name);
        }
        var scheduled = new Sharpkeras.Optimizers.Adam(learningRate: new Sharpkeras.Optimizers.Schedules.ExponentialDecay(0.1, 10, 0.5));
        scheduled.Build(model.TrainableWeights);
        Assert.That(OptimizerVariables.CountAndBytes(scheduled).count, Is.EqualTo(1 + 18), "a schedule is not a variable");
    }

    [Test]
    public void PythonFixedRoundsExactHalvesToEven()
    {
        // Python: format(723.125, ".2f") == "723.12"; format(1.375, ".2f") == "1.38"; format(2.675, ".2f") == "2.67"
        // (2.675 is 2.67499999... in binary).
        Assert.That(PythonNumbers.Fixed(723.125, 2), Is.EqualTo("723.12"));
        Assert.That(PythonNumbers.Fixed(1.375, 2), Is.EqualTo("1.38"));
        Assert.That(PythonNumbers.Fixed(2.675, 2), Is.EqualTo("2.67"));
        Assert.That(PythonNumbers.Fixed(0, 2), Is.EqualTo("0.00"));
        Assert.That(PythonNumbers.Fixed(-0.5, 0), Is.EqualTo("-0"));
        Assert.That(PythonNumbers.Exponent(0.00012345, 4), Is.EqualTo("1.2345e-04"));
        Assert.That(PythonNumbers.Exponent(123456, 2), Is.EqualTo("1.23e+05"));
        Assert.That(PythonNumbers.Exponent(9.9999, 2), Is.EqualTo("1.00e+01"));
    }
}
