using System.Text.RegularExpressions;
using Sharpkeras.Engine;
using Sharpkeras.Layers;
using Sharpkeras.Display;

namespace Sharpkeras;

public partial class Model
{
    /// <summary>
    /// Prints the model's summary exactly as Keras 3's <c>model.summary()</c> prints it (without a custom
    /// print function): a table of the layers with their output shapes and parameter counts, then the total,
    /// trainable and non-trainable parameter counts with their memory size, and, once the optimizer is built
    /// (after the first training step), its variables (Keras counts them in "Total params"). In a terminal the
    /// numbers and names carry Keras's colours.
    /// </summary>
    /// <param name="lineLength">Total width of the table; default Keras's: 88 (108 for a non-sequential graph,
    /// 12 more with <paramref name="showTrainable"/>), at most the terminal's width minus 4 (80 when the output
    /// is not a terminal; the <c>COLUMNS</c> environment variable overrides).</param>
    /// <param name="positions">Right edge of each column, as fractions of the line (e.g. [0.45, 0.80, 1.0]) or,
    /// when the last is above 1, in characters.</param>
    /// <param name="printFn">Receives each line; default: the console.</param>
    /// <param name="expandNested">Whether the layers of nested models are listed under them.</param>
    /// <param name="showTrainable">Whether a "Trainable" column shows Y/N per layer with weights.</param>
    /// <param name="layerRange">Two regular expressions: the first layer whose name matches the first and the last
    /// layer whose name matches the second bound the rows shown (both included).</param>
    public void Summary(int? lineLength = null, double[]? positions = null, Action<string>? printFn = null,
        bool expandNested = false, bool showTrainable = false, string[]? layerRange = null)
    {
        bool color = printFn is null && ConsoleSupportsColor();
        var lines = SummaryLines(lineLength, positions, expandNested, showTrainable, layerRange, color);
        printFn ??= Console.WriteLine;
        foreach (var line in lines) printFn(line);
    }

    /// <summary>Prints the summary line by line to <paramref name="printFn"/> (Keras's <c>summary(print_fn=...)</c>).</summary>
    /// <param name="printFn">Receives each line of the summary.</param>
    public void Summary(Action<string> printFn)
    {
        ArgumentNullException.ThrowIfNull(printFn);
        Summary(lineLength: null, printFn: printFn);
    }

    /// <summary>The lines <see cref="Summary(int?, double[], Action{string}, bool, bool, string[])"/> prints, without colours.</summary>
    /// <param name="lineLength">See <see cref="Summary(int?, double[], Action{string}, bool, bool, string[])"/>.</param>
    /// <param name="positions">See <see cref="Summary(int?, double[], Action{string}, bool, bool, string[])"/>.</param>
    /// <param name="expandNested">Whether the layers of nested models are listed under them.</param>
    /// <param name="showTrainable">Whether a "Trainable" column is shown.</param>
    /// <param name="layerRange">Two regular expressions bounding the rows shown.</param>
    public IReadOnlyList<string> SummaryLines(int? lineLength = null, double[]? positions = null, bool expandNested = false,
        bool showTrainable = false, string[]? layerRange = null)
        => SummaryLines(lineLength, positions, expandNested, showTrainable, layerRange, color: false);

    private List<string> SummaryLines(int? lineLength, double[]? positions, bool expandNested, bool showTrainable,
        string[]? layerRange, bool color)
    {
        if (lineLength is <= 0)
            throw new ArgumentOutOfRangeException(nameof(lineLength), lineLength, "lineLength must be positive.");
        if (positions != null && (positions.Length == 0 || positions.Any(p => !double.IsFinite(p) || p <= 0)))
            throw new ArgumentException($"positions must be positive numbers; got [{string.Join(", ", positions ?? [])}].", nameof(positions));

        var graph = IsFunctional ? KerasGraph() : null;
        bool sequentialLike = graph is null || graph.SequentialLike;
        IReadOnlyList<Layer> layers = graph?.Operations ?? Layers;

        int defaultLineLength;
        List<string> header;
        var justify = new List<RichTable.Justify>();
        if (sequentialLike)
        {
            defaultLineLength = 88;
            positions ??= [0.45, 0.80, 1.0];
            header = ["Layer (type)", "Output Shape", "Param #"];
            justify.AddRange([RichTable.Justify.Left, RichTable.Justify.Left, RichTable.Justify.Right]);
        }
        else
        {
            defaultLineLength = 108;
            positions ??= [0.3, 0.56, 0.74, 1.0];
            header = ["Layer (type)", "Output Shape", "Param #", "Connected to"];
            justify.AddRange([RichTable.Justify.Left, RichTable.Justify.Left, RichTable.Justify.Right, RichTable.Justify.Left]);
        }
        if (positions.Length != header.Count)
            throw new ArgumentException($"positions must have {header.Count} entries (one per column: {string.Join(", ", header)}); got {positions.Length}.", nameof(positions));
        if (showTrainable)
        {
            defaultLineLength += 12;
            positions = positions.Select(p => p * 0.90).Append(1.0).ToArray();
            header.Add("Trainable");
            justify.Add(RichTable.Justify.Center);
        }
        int length = lineLength ?? Math.Min(defaultLineLength, TerminalColumns() - 4);
        bool absolute = positions[^1] > 1;
        var columnWidths = new int[positions.Length];
        int current = 0;
        for (int i = 0; i < positions.Length; i++)
        {
            int edge = absolute ? (int)positions[i] : (int)(positions[i] * length);
            int width = edge - current;
            if (width < 4)
                throw new ArgumentException(
                    $"Insufficient console width to print summary: column '{header[i]}' would be {width} characters wide (lineLength {length}, positions [{string.Join(", ", positions)}]).",
                    nameof(lineLength));
            columnWidths[i] = width;
            current += width;
        }
        var table = new RichTable(header.ToArray(), justify.ToArray(), RichTable.CellWidthsFor(length, columnWidths));

        var (first, last) = LayerIndexRange(layers, layerRange);
        for (int i = first; i < last; i++)
            foreach (var row in LayerRows(layers[i], 0, graph, sequentialLike, expandNested, showTrainable))
                table.AddRow(row);

        long Count(IEnumerable<KerasVariable> vs) => vs.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b));
        double Bytes(IEnumerable<KerasVariable> vs) =>
            vs.Distinct().Sum(v => (double)v.KerasShape.Aggregate(1L, (a, b) => a * b) * v.Value.ElementSize);
        var trainableWeights = TrainableWeights;
        var nonTrainableWeights = NonTrainableWeights;
        long trainable = Count(trainableWeights), nonTrainable = Count(nonTrainableWeights);
        double trainableBytes = Bytes(trainableWeights), nonTrainableBytes = Bytes(nonTrainableWeights);
        var optimizer = Compiled ? Optimizer : null;
        bool optimizerBuilt = optimizer is { Built: true };
        var (optimizerCount, optimizerBytes) = optimizerBuilt ? OptimizerVariables.CountAndBytes(optimizer!) : (0L, 0.0);

        string Bold(string s) => color ? Ansi.Bold(s) : s;
        string Number(string s) => color ? Ansi.Color(s, 34) : s;
        var lines = new List<string> { Bold($"Model: \"{Name}\"") };
        lines.AddRange(table.Render(color ? PaintCell(header) : null));
        string Totals(string label, long count, double bytes) =>
            Bold($" {label}: ") + Number(PythonNumbers.Grouped(count)) + $" ({ReadableSize(bytes)})";
        lines.Add(Totals("Total params", trainable + nonTrainable + optimizerCount, trainableBytes + nonTrainableBytes + optimizerBytes));
        lines.Add(Totals("Trainable params", trainable, trainableBytes));
        lines.Add(Totals("Non-trainable params", nonTrainable, nonTrainableBytes));
        if (optimizerBuilt) lines.Add(Totals("Optimizer params", optimizerCount, optimizerBytes));
        return lines;
    }

    /// <summary>Keras's <c>get_layer_index_bound_by_layer_name</c>: [first, last + 1) of the rows to show.</summary>
    private (int first, int last) LayerIndexRange(IReadOnlyList<Layer> layers, string[]? layerRange)
    {
        if (layerRange is null) return (0, layers.Count);
        if (layerRange.Length != 2)
            throw new ArgumentException($"layerRange must hold 2 layer names (or regular expressions); got {layerRange.Length}.", nameof(layerRange));
        if (layerRange[0] is null || layerRange[1] is null)
            throw new ArgumentException("layerRange must hold strings, not null.", nameof(layerRange));
        List<int> Matching(string pattern)
        {
            var re = new Regex(@"\A(?:" + pattern + ")", RegexOptions.CultureInvariant);
            return Enumerable.Range(0, layers.Count).Where(i => re.IsMatch(layers[i].Name)).ToList();
        }
        var lower = Matching(layerRange[0]);
        var upper = Matching(layerRange[1]);
        if (lower.Count == 0 || upper.Count == 0)
            throw new ArgumentException(
                $"layerRange [{layerRange[0]}, {layerRange[1]}] does not match the layer names of model '{Name}': {string.Join(", ", layers.Select(l => l.Name))}.",
                nameof(layerRange));
        return lower.Min() > upper.Max() ? (upper.Min(), lower.Max() + 1) : (lower.Min(), upper.Max() + 1);
    }

    private static IEnumerable<string[]> LayerRows(Layer layer, int nestedLevel, SummaryGraph? graph, bool sequentialLike,
        bool expandNested, bool showTrainable)
    {
        string prefix = nestedLevel > 0 ? new string(' ', 3 * nestedLevel) + "└ " : "";
        var fields = new List<string>
        {
            $"{prefix}{layer.Name} ({layer.GetType().Name})",
            FormatLayerShape(layer),
            layer.Built || layer is InputLayer ? PythonNumbers.Grouped(layer.CountParams()) : "0 (unbuilt)",
        };
        if (!sequentialLike) fields.Add(Connections(layer, graph!));
        if (showTrainable) fields.Add(layer.Variables.Count > 0 ? (layer.Trainable ? "Y" : "N") : "-");
        yield return fields.ToArray();
        if (expandNested && layer is Model nested && nested.Layers.Count > 0)
            foreach (var sub in nested.Layers)
                foreach (var row in LayerRows(sub, nestedLevel + 1, graph, sequentialLike, expandNested, showTrainable))
                    yield return row;
    }

    /// <summary>Keras's <c>format_layer_shape</c>: the last node's output shapes, the built shape, or "?".</summary>
    private static string FormatLayerShape(Layer layer)
    {
        if (layer.InboundNodes.Count > 0)
        {
            var outputs = layer.InboundNodes[^1].Outputs;
            var shapes = outputs.Select(o => SummaryShape(o.Shape)).ToList();
            return shapes.Count == 1 ? shapes[0] : "[" + string.Join(", ", shapes) + "]";
        }
        return layer.Built && layer.OutputShape != null ? SummaryShape(layer.OutputShape) : "?";
    }

    /// <summary>Keras's summary shape text: "(None, 28, 28, 6)"; a one-dimensional shape is "(None)", not Python's "(None,)".</summary>
    private static string SummaryShape(int?[] shape) => "(" + string.Join(", ", shape.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None")) + ")";

    private static string Connections(Layer layer, SummaryGraph graph)
    {
        var parts = new List<string>();
        foreach (var node in layer.InboundNodes)
        {
            if (graph.Nodes.Count > 0 && !graph.Nodes.Contains(node)) continue;
            foreach (var t in node.Inputs)
                parts.Add($"{t.Layer.Name}[{t.Layer.InboundNodes.IndexOf(t.Node)}][{t.Index}]");
        }
        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    /// <summary>Keras's readable memory size: 1024-based, two decimals ("241.04 KB").</summary>
    internal static string ReadableSize(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        foreach (var unit in units)
        {
            if (bytes / 1024 < 1) return PythonNumbers.Fixed(bytes, 2) + " " + unit;
            bytes /= 1024;
        }
        return PythonNumbers.Fixed(bytes, 2) + " " + units[^1];
    }

    /// <summary>Width of the terminal as Python's <c>shutil.get_terminal_size()</c> reports it (COLUMNS, the console, else 80).</summary>
    internal static int TerminalColumns()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0) return columns;
        try
        {
            if (!Console.IsOutputRedirected && Console.WindowWidth > 0) return Console.WindowWidth;
        }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        return 80;
    }

    internal static bool ConsoleSupportsColor()
    {
        if (Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 }) return false;
        if (Environment.GetEnvironmentVariable("TERM") == "dumb") return false;
        return !Console.IsOutputRedirected;
    }

    /// <summary>Keras's colours: numbers colour 34, None colour 45, class names colour 33, the header bold.</summary>
    private static Func<int, string, bool, string> PaintCell(List<string> header) => (column, text, isHeader) =>
    {
        if (isHeader) return Ansi.Bold(text);
        switch (header[column])
        {
            case "Layer (type)":
                return Regex.Replace(text, @"\(([^()\s]+)\)(\s*)$", m => "(" + Ansi.Color(m.Groups[1].Value, 33) + ")" + m.Groups[2].Value);
            case "Output Shape":
                return Regex.Replace(text, @"None|\d+", m => Ansi.Color(m.Value, m.Value == "None" ? 45 : 34));
            case "Param #":
                return Regex.Replace(text, @"[\d,]+", m => Ansi.Color(m.Value, 34));
            case "Connected to":
                return Regex.Replace(text, @"\[(\d+)\]", m => "[" + Ansi.Color(m.Groups[1].Value, 34) + "]");
            default:
                return Regex.Replace(text, @"\S", m => m.Value switch
                {
                    "Y" => Ansi.Bold(Ansi.Color("Y", 34)),
                    "N" => Ansi.Bold(Ansi.Color("N", 9)),
                    _ => Ansi.Bold(m.Value),
                });
        }
    };

    /// <summary>The layers in Keras's <c>model._operations</c> order (Functional: by decreasing depth, then first visit from the outputs).</summary>
    internal IReadOnlyList<Layer> LayersInKerasOrder() => IsFunctional ? KerasGraph().Operations : Layers;

    /// <summary>The graph facts Keras's summary uses: operations in Keras's order, the nodes, whether it is a chain.</summary>
    private sealed record SummaryGraph(IReadOnlyList<Layer> Operations, HashSet<Node> Nodes, bool SequentialLike);

    /// <summary>Keras's <c>map_graph</c>: node depths from the outputs, operations by decreasing depth then first visit.</summary>
    private SummaryGraph KerasGraph()
    {
        var ordered = new List<Node>();
        var finished = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var indices = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        var inputNodes = new HashSet<Node>(Inputs.Select(i => i.Node), ReferenceEqualityComparer.Instance);
        void Visit(Node node)
        {
            if (finished.Contains(node)) return;
            indices.TryAdd(node.Layer, indices.Count);
            if (!inputNodes.Contains(node))
                foreach (var t in node.Inputs) Visit(t.Node);
            finished.Add(node);
            ordered.Add(node);
        }
        foreach (var o in Outputs) Visit(o.Node);
        var inGraph = new HashSet<Node>(ordered, ReferenceEqualityComparer.Instance);
        var nodeDepth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (int k = ordered.Count - 1; k >= 0; k--)
        {
            var node = ordered[k];
            int depth = nodeDepth.TryGetValue(node, out var d) ? d : 0;
            depth = Math.Max(depth, layerDepth.TryGetValue(node.Layer, out var ld) ? ld : 0);
            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            foreach (var parent in node.Inputs.Select(t => t.Node).Distinct())
            {
                if (!inGraph.Contains(parent)) continue;
                nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.TryGetValue(parent, out var pd) ? pd : 0);
            }
        }
        foreach (var input in Inputs)
        {
            if (layerDepth.ContainsKey(input.Layer)) continue;
            layerDepth[input.Layer] = 0;
            indices[input.Layer] = -1;
            nodeDepth[input.Node] = 0;
        }
        var operations = layerDepth.Keys
            .OrderByDescending(l => layerDepth[l]).ThenBy(l => indices[l]).ToList();
        var byDepth = nodeDepth.GroupBy(kv => kv.Value).ToList();
        bool sequentialLike = byDepth.All(g => g.Count() == 1 && g.First().Key.Inputs.Length <= 1);
        var nodes = new HashSet<Node>(nodeDepth.Keys, ReferenceEqualityComparer.Instance);
        if (sequentialLike && Layers.Any(l => l.InboundNodes.Count(n => nodes.Contains(n)) > 1)) sequentialLike = false;
        return new SummaryGraph(operations, nodes, sequentialLike);
    }
}
