using NUnit.Framework;
using Sharpkeras.Layers;

namespace Sharpkeras.Tests.Plotting;

/// <summary>
/// Keras.Utils.PlotModel / ModelToDot against the DOT Keras's keras/src/utils/model_visualization.py builds
/// (HTML-table labels from make_layer_label, graph attributes from model_to_dot, edges with penwidth 2).
/// </summary>
[NonParallelizable]
public class PlotModelTests
{
    private static string OutDir => Path.Combine(TestContext.CurrentContext.WorkDirectory, "plot_model");

    [SetUp]
    public void Setup() => Keras.ClearSession();

    [TearDown]
    public void TearDown() => Keras.Utils.DotProgram = null;

    private const string Head = "<<table border=\"0\" cellborder=\"1\" bgcolor=\"black\" cellpadding=\"10\">";

    [Test]
    public void SequentialDotIsKerasGraph()
    {
        var model = new Sequential([new Dense(4, inputShape: [3]), new Dense(2)], name: "seq");
        const string expected =
            "digraph G {\n" +
            "rankdir=TB;\nconcentrate=true;\ndpi=200;\nsplines=ortho;\nnode [shape=record];\n" +
            "\"seq/dense\" [label=" + Head + "<tr><td colspan=\"1\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\"><b>dense</b> (Dense)</font></td></tr></table>>, fontname=Helvetica, border=0, margin=0];\n" +
            "\"seq/dense_1\" [label=" + Head + "<tr><td colspan=\"1\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\"><b>dense_1</b> (Dense)</font></td></tr></table>>, fontname=Helvetica, border=0, margin=0];\n" +
            "\"seq/dense\" -> \"seq/dense_1\" [penwidth=2];\n" +
            "}\n";
        Assert.That(Keras.Utils.ModelToDot(model), Is.EqualTo(expected));
    }

    [Test]
    public void LabelsShowShapesDtypeActivationTrainableLikeKeras()
    {
        var dense = new Dense(4, activation: "relu", inputShape: [3]);
        var model = new Sequential([dense], name: "s");
        dense.Trainable = false;
        string label = Keras.Utils.Label(dense, showShapes: true, showDtype: true, showLayerNames: true, showLayerActivations: true, showTrainable: true);
        // colspan = dtype 1 + trainable 1 + shapes 2 = 4; Python tuple reprs for shapes.
        Assert.That(label, Is.EqualTo(Head +
            "<tr><td colspan=\"4\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\"><b>dense</b> (Dense)</font></td></tr>" +
            "<tr><td bgcolor=\"white\" colspan=\"4\"><font point-size=\"14\">Activation: <b>relu</b></font></td></tr>" +
            "<tr><td bgcolor=\"white\"><font point-size=\"14\">Input shape: <b>(None, 3)</b></font></td>" +
            "<td bgcolor=\"white\"><font point-size=\"14\">Output shape: <b>(None, 4)</b></font></td>" +
            "<td bgcolor=\"white\"><font point-size=\"14\">Output dtype: <b>float32</b></font></td>" +
            "<td bgcolor=\"firebrick\"><font point-size=\"14\" color=\"white\"><b>Non-trainable</b></font></td></tr>" +
            "</table>>"));
        string noName = Keras.Utils.Label(dense, showShapes: false, showDtype: false, showLayerNames: false);
        Assert.That(noName, Is.EqualTo(Head + "<tr><td colspan=\"1\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\"><b>Dense</b></font></td></tr></table>>"));
        _ = model;
    }

    [Test]
    public void FunctionalGraphHasInputNodesAndEveryEdge()
    {
        var a = Keras.Input(shape: [16]);
        var b = Keras.Input(shape: [8]);
        var c = new Concatenate().Apply(new Dense(4).Apply(a), new Dense(4).Apply(b));
        var model = new Model([a, b], [new Dense(1).Apply(c)], name: "two");
        var dot = Keras.Utils.ModelToDot(model, showShapes: true, rankdir: "LR");
        Assert.That(dot, Does.Contain("rankdir=LR;"));
        var edges = dot.Split('\n').Where(l => l.Contains(" -> ")).ToList();
        Assert.That(edges, Is.EquivalentTo(new[]
        {
            "\"two/input_layer\" -> \"two/dense\" [penwidth=2];",
            "\"two/input_layer_1\" -> \"two/dense_1\" [penwidth=2];",
            "\"two/dense\" -> \"two/concatenate\" [penwidth=2];",
            "\"two/dense_1\" -> \"two/concatenate\" [penwidth=2];",
            "\"two/concatenate\" -> \"two/dense_2\" [penwidth=2];",
        }));
        // InputLayer boxes show only the output shape; the concatenation's input is a list of tuples.
        Assert.That(dot, Does.Contain("<b>input_layer</b> (InputLayer)</font></td></tr><tr><td bgcolor=\"white\"><font point-size=\"14\">Output shape: <b>(None, 16)</b>"));
        Assert.That(dot, Does.Contain("Input shape: <b>[(None, 4), (None, 4)]</b>"));
    }

    [Test]
    public void ExpandNestedDrawsClusterAndConnectsInnerLayers()
    {
        var inner = new Sequential([new Dense(4, inputShape: [3]), new Dense(2)], name: "inner");
        var x = Keras.Input(shape: [3]);
        var model = new Model(x, new Dense(1).Apply(inner.Apply(x)), name: "outer");
        var flat = Keras.Utils.ModelToDot(model);
        Assert.That(flat, Does.Contain("\"outer/inner\" [label="));
        Assert.That(flat, Does.Contain("\"outer/input_layer_1\" -> \"outer/inner\"").Or.Contain("\"outer/input_layer\" -> \"outer/inner\""));
        var nested = Keras.Utils.ModelToDot(model, expandNested: true);
        Assert.That(nested, Does.Contain("subgraph \"cluster_outer/inner\" {\nstyle=dashed;\nlabel=\"inner\";\nlabeljust=l;\n"));
        Assert.That(nested, Does.Contain("\"outer/inner/dense\" -> \"outer/inner/dense_1\" [penwidth=2];"));
        Assert.That(nested, Does.Contain("-> \"outer/inner/dense\" [penwidth=2];"), "the input goes to the first inner layer");
        Assert.That(nested, Does.Contain("\"outer/inner/dense_1\" -> \"outer/dense_2\" [penwidth=2];"), "the inner output feeds the next layer");
    }

    [Test]
    public void DotFileIsAlwaysWrittenAndMissingGraphvizSaysWhatToDo()
    {
        var model = new Sequential([new Dense(2, inputShape: [3])], name: "m");
        var dotOnly = Keras.Utils.PlotModel(model, Path.Combine(OutDir, "m.dot"));
        Assert.That(File.ReadAllText(dotOnly), Is.EqualTo(Keras.Utils.ModelToDot(model)));

        Keras.Utils.DotProgram = Path.Combine(OutDir, "no-such-dot");
        var png = Path.Combine(OutDir, "missing.png");
        var e = Assert.Throws<InvalidOperationException>(() => Keras.Utils.PlotModel(model, png))!;
        Assert.That(e.Message, Does.Contain("apt-get install graphviz"));
        Assert.That(e.Message, Does.Contain("dot -Tpng"));
        Assert.That(File.Exists(Path.Combine(OutDir, "missing.dot")), Is.True, "the DOT text is written even without Graphviz");
        Assert.That(File.Exists(png), Is.False);
    }

    [Test]
    public void RendersPngAndSvgWhenGraphvizIsInstalled()
    {
        var dotExe = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "dot")).FirstOrDefault(File.Exists);
        if (dotExe is null) Assert.Ignore("Graphviz's dot is not installed here; the DOT text is tested above.");
        var model = new Sequential([new Dense(4, inputShape: [3]), new Dense(2)], name: "r");
        var png = Keras.Utils.PlotModel(model, Path.Combine(OutDir, "r.png"), showShapes: true, dpi: 72);
        var bytes = File.ReadAllBytes(png);
        Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        var svg = Keras.Utils.PlotModel(model, Path.Combine(OutDir, "r.svg"));
        Assert.That(File.ReadAllText(svg), Does.Contain("<svg").And.Contain("dense_1"));
    }

    [Test]
    public void BadInputThrowsNamingTheArgument()
    {
        var unbuilt = new Sequential(new Dense(2));
        Assert.That(Assert.Throws<ArgumentException>(() => Keras.Utils.ModelToDot(unbuilt))!.ParamName, Is.EqualTo("model"));
        var model = new Sequential([new Dense(2, inputShape: [3])]);
        Assert.That(Assert.Throws<ArgumentException>(() => Keras.Utils.ModelToDot(model, rankdir: "XY"))!.ParamName, Is.EqualTo("rankdir"));
        Assert.Throws<ArgumentNullException>(() => Keras.Utils.ModelToDot(null!));
    }
}
