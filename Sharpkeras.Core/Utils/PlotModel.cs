using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Sharpkeras.Layers;

namespace Sharpkeras;

public static partial class Keras
{
    /// <summary>Keras's <c>keras.utils</c> functions that work on models: <c>PlotModel</c> and <c>ModelToDot</c>.</summary>
    public static partial class Utils
    {
        /// <summary>
        /// The Graphviz program used to render images; null means "dot" looked up on PATH. Tests and unusual
        /// installations set it.
        /// </summary>
        internal static string? DotProgram { get; set; }

        /// <summary>
        /// Draws the model as a graph (Keras's <c>keras.utils.plot_model</c>): writes the Graphviz DOT text next to
        /// <paramref name="path"/> (same name, ".dot") and, when <paramref name="path"/> asks for an image (".png",
        /// ".svg", ".pdf", …), renders it with Graphviz's <c>dot</c> program. Without Graphviz the DOT file is still
        /// written and an <see cref="InvalidOperationException"/> says how to install it (Debian/Ubuntu:
        /// <c>apt-get install graphviz</c>) and how to render the DOT file later.
        /// </summary>
        /// <param name="model">A built model (Sequential with a known input shape, Functional, or trained).</param>
        /// <param name="path">The file to write: ".png" (also the format when there is no extension), ".svg",
        /// ".pdf", any other format <c>dot -T</c> knows, or ".dot"/".gv" for the DOT text only.</param>
        /// <param name="showShapes">Whether each box shows the layer's input and output shapes.</param>
        /// <param name="showDtype">Whether each box shows the layer's output dtype.</param>
        /// <param name="showLayerNames">Whether each box shows the layer's name (else only its class).</param>
        /// <param name="expandNested">Whether nested models are drawn as dashed clusters of their layers.</param>
        /// <param name="rankdir">"TB" (top to bottom), "LR" (left to right), "BT" or "RL".</param>
        /// <param name="dpi">Image resolution (Keras's default 200).</param>
        /// <param name="showLayerActivations">Whether layers with an activation show it.</param>
        /// <param name="showTrainable">Whether layers with weights show "Trainable" or "Non-trainable".</param>
        /// <returns>The full path of the image, or of the DOT file when only DOT was asked for.</returns>
        public static string PlotModel(Model model, string path, bool showShapes = false, bool showDtype = false,
            bool showLayerNames = true, bool expandNested = false, string rankdir = "TB", int dpi = 200,
            bool showLayerActivations = false, bool showTrainable = false)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            var dot = ModelToDot(model, showShapes, showDtype, showLayerNames, rankdir, expandNested, dpi, showLayerActivations, showTrainable);
            var full = Path.GetFullPath(path);
            string ext = Path.GetExtension(full);
            string format = ext.Length > 1 ? ext[1..].ToLowerInvariant() : "png";
            string dotPath = format is "dot" or "gv" ? full : Path.ChangeExtension(full, ".dot");
            WriteAtomically(dotPath, dot);
            if (format is "dot" or "gv") return full;

            string? program = FindDot();
            if (program is null)
                throw new InvalidOperationException(
                    $"PlotModel wrote the graph of model '{model.Name}' as Graphviz DOT to '{dotPath}', but cannot make the {format.ToUpperInvariant()} " +
                    "because Graphviz's 'dot' program is not installed (not found on PATH). Install Graphviz (Debian/Ubuntu: " +
                    $"'apt-get install graphviz'; macOS: 'brew install graphviz'; Windows: 'winget install graphviz'), then call PlotModel again, " +
                    $"or render the file yourself: dot -T{format} \"{dotPath}\" -o \"{full}\".");
            var dir = Path.GetDirectoryName(full)!;
            var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
            try
            {
                var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                psi.ArgumentList.Add("-T" + format);
                psi.ArgumentList.Add(dotPath);
                psi.ArgumentList.Add("-o");
                psi.ArgumentList.Add(tmp);
                using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start '{program}'.");
                var stderr = p.StandardError.ReadToEndAsync();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0 || !File.Exists(tmp))
                    throw new InvalidOperationException(
                        $"Graphviz ('{program} -T{format}') failed with exit code {p.ExitCode} on '{dotPath}': {stderr.Result.Trim()}");
                File.Move(tmp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            return full;
        }

        /// <summary>
        /// The model as Graphviz DOT text (Keras's <c>keras.utils.model_to_dot</c>): one HTML-table box per layer
        /// (name in bold and class on a black header; shapes, dtype, activation and trainable state below when asked),
        /// edges from each layer to the layers that consume its outputs.
        /// </summary>
        /// <param name="model">A built model.</param>
        /// <param name="showShapes">Whether boxes show input and output shapes.</param>
        /// <param name="showDtype">Whether boxes show the output dtype.</param>
        /// <param name="showLayerNames">Whether boxes show layer names.</param>
        /// <param name="rankdir">"TB", "LR", "BT" or "RL".</param>
        /// <param name="expandNested">Whether nested models are drawn as clusters of their layers.</param>
        /// <param name="dpi">Image resolution written into the graph.</param>
        /// <param name="showLayerActivations">Whether activations are shown.</param>
        /// <param name="showTrainable">Whether trainable state is shown.</param>
        /// <param name="splines">Edge style: "ortho" (Keras's default), "curved", "polyline", "spline" or "line".</param>
        public static string ModelToDot(Model model, bool showShapes = false, bool showDtype = false, bool showLayerNames = true,
            string rankdir = "TB", bool expandNested = false, int dpi = 200, bool showLayerActivations = false,
            bool showTrainable = false, string splines = "ortho")
        {
            ArgumentNullException.ThrowIfNull(model);
            if (rankdir is not ("TB" or "LR" or "BT" or "RL"))
                throw new ArgumentException($"rankdir must be \"TB\", \"LR\", \"BT\" or \"RL\"; got \"{rankdir}\".", nameof(rankdir));
            if (splines is not ("ortho" or "curved" or "polyline" or "spline" or "line" or "true" or "false" or "none"))
                throw new ArgumentException($"splines must be \"ortho\", \"curved\", \"polyline\", \"spline\" or \"line\"; got \"{splines}\".", nameof(splines));
            if (dpi <= 0) throw new ArgumentOutOfRangeException(nameof(dpi), dpi, "dpi must be positive.");
            if (!IsBuilt(model))
                throw new ArgumentException(
                    $"Model '{model.Name}' has not been built yet, so its graph is unknown. Give the first layer an inputShape, use Keras.Input, call Build, or train/call the model once.",
                    nameof(model));
            var options = new DotOptions(showShapes, showDtype, showLayerNames, showLayerActivations, showTrainable, expandNested);
            var sb = new StringBuilder();
            sb.Append("digraph G {\n");
            sb.Append($"rankdir={rankdir};\nconcentrate=true;\ndpi={dpi.ToString(CultureInfo.InvariantCulture)};\nsplines={splines};\n");
            sb.Append("node [shape=record];\n");
            var edges = new List<(string, string)>();
            AddModel(sb, edges, model, options, "", subgraph: false);
            foreach (var (a, b) in edges.Distinct()) sb.Append($"{a} -> {b} [penwidth=2];\n");
            sb.Append("}\n");
            return sb.ToString();
        }

        private sealed record DotOptions(bool Shapes, bool Dtype, bool Names, bool Activations, bool Trainable, bool ExpandNested);

        private static bool IsBuilt(Model model) =>
            model.IsFunctional || model.Built || model.Layers.All(l => l.Built);

        private static IReadOnlyList<Layer> Operations(Model model) => model.LayersInKerasOrder();

        private static void AddModel(StringBuilder sb, List<(string, string)> edges, Model model, DotOptions o, string prefix, bool subgraph)
        {
            bool sequential = model is Sequential;
            if (subgraph)
            {
                sb.Append($"subgraph {Quote("cluster_" + prefix + model.Name)} {{\nstyle=dashed;\nlabel={Quote(model.Name)};\nlabeljust=l;\n");
            }
            if (!sequential && !model.IsFunctional)
            {
                // Keras draws a subclassed model as one box.
                sb.Append(NodeLine(model, o, prefix));
                if (subgraph) sb.Append("}\n");
                return;
            }
            var layers = Operations(model);
            foreach (var layer in layers)
            {
                if (o.ExpandNested && layer is Model nested && (nested is Sequential || nested.IsFunctional))
                    AddModel(sb, edges, nested, o, prefix + model.Name + "/", subgraph: true);
                else
                    sb.Append(NodeLine(layer, o, prefix + model.Name + "/"));
            }
            if (subgraph) sb.Append("}\n");

            string Id(Layer l, string p) => Quote(p + l.Name);
            string own = prefix + model.Name + "/";
            if (sequential && !o.ExpandNested)
            {
                for (int i = 0; i + 1 < layers.Count; i++) edges.Add((Id(layers[i], own), Id(layers[i + 1], own)));
                return;
            }
            var nodesInModel = model.IsFunctional ? ModelNodes(model) : null;
            foreach (var layer in sequential ? layers.Skip(1) : layers)
            {
                foreach (var node in layer.InboundNodes)
                {
                    if (nodesInModel != null && !nodesInModel.Contains(node)) continue;
                    for (int inputIndex = 0; inputIndex < node.Inputs.Length; inputIndex++)
                    {
                        var t = node.Inputs[inputIndex];
                        Layer source = t.Layer;
                        string sourcePrefix = own, destPrefix = own;
                        Layer destination = layer;
                        int outputIndex = t.Index;
                        if (o.ExpandNested)
                        {
                            while (source is Model sm && (sm is Sequential || sm.IsFunctional) && sm.Outputs.Count > outputIndex)
                            {
                                var inner = sm.Outputs[outputIndex];
                                sourcePrefix += sm.Name + "/";
                                source = inner.Layer;
                                outputIndex = inner.Index;
                            }
                            while (destination is Model dm && (dm is Sequential || dm.IsFunctional))
                            {
                                destPrefix += dm.Name + "/";
                                if (dm.IsFunctional) destination = dm.Inputs[Math.Min(inputIndex, dm.Inputs.Count - 1)].Layer;
                                else if (dm.Layers.Count > 0) destination = dm.Layers[0];
                                else break;
                            }
                        }
                        edges.Add((Id(source, sourcePrefix), Id(destination, destPrefix)));
                    }
                }
            }
        }

        private static HashSet<object> ModelNodes(Model model)
        {
            var nodes = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var stack = new Stack<KerasTensor>(model.Outputs);
            var inputs = new HashSet<object>(model.Inputs.Select(i => (object)i.Node), ReferenceEqualityComparer.Instance);
            while (stack.Count > 0)
            {
                var t = stack.Pop();
                if (!nodes.Add(t.Node)) continue;
                if (inputs.Contains(t.Node)) continue;
                foreach (var i in t.Node.Inputs) stack.Push(i);
            }
            return nodes;
        }

        private static string NodeLine(Layer layer, DotOptions o, string prefix) =>
            $"{Quote(prefix + layer.Name)} [label={Label(layer, o)}, fontname=Helvetica, border=0, margin=0];\n";

        /// <summary>Keras's <c>make_layer_label</c>: an HTML-like table.</summary>
        internal static string Label(Layer layer, bool showShapes, bool showDtype, bool showLayerNames, bool showLayerActivations = false, bool showTrainable = false) =>
            Label(layer, new DotOptions(showShapes, showDtype, showLayerNames, showLayerActivations, showTrainable, false));

        private static string Label(Layer layer, DotOptions o)
        {
            string cls = layer.GetType().Name;
            int colspanMax = (o.Dtype ? 1 : 0) + (o.Trainable ? 1 : 0) + (o.Shapes ? 2 : 0);
            int colspan = Math.Max(1, colspanMax);
            var t = new StringBuilder("<<table border=\"0\" cellborder=\"1\" bgcolor=\"black\" cellpadding=\"10\">");
            t.Append($"<tr><td colspan=\"{colspan}\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\">");
            t.Append(o.Names ? $"<b>{Html(layer.Name)}</b> ({Html(cls)})" : $"<b>{Html(cls)}</b>");
            t.Append("</font></td></tr>");
            if (o.Activations && layer.GetConfig().TryGetValue("activation", out var act) && act is string a)
                t.Append($"<tr><td bgcolor=\"white\" colspan=\"{colspan}\"><font point-size=\"14\">Activation: <b>{Html(a)}</b></font></td></tr>");
            var cols = new List<string>();
            if (o.Shapes)
            {
                if (layer is not InputLayer)
                    cols.Add($"<td bgcolor=\"white\"><font point-size=\"14\">Input shape: <b>{Html(InputShapes(layer))}</b></font></td>");
                cols.Add($"<td bgcolor=\"white\"><font point-size=\"14\">Output shape: <b>{Html(OutputShapes(layer))}</b></font></td>");
            }
            if (o.Dtype)
                cols.Add($"<td bgcolor=\"white\"><font point-size=\"14\">Output dtype: <b>{Html(OutputDtypes(layer))}</b></font></td>");
            if (o.Trainable && layer.Variables.Count > 0)
                cols.Add(layer.Trainable
                    ? "<td bgcolor=\"forestgreen\"><font point-size=\"14\" color=\"white\"><b>Trainable</b></font></td>"
                    : "<td bgcolor=\"firebrick\"><font point-size=\"14\" color=\"white\"><b>Non-trainable</b></font></td>");
            if (cols.Count > 0) t.Append("<tr>").Append(string.Concat(cols)).Append("</tr>");
            t.Append("</table>>");
            return t.ToString();
        }

        /// <summary>Python's repr of the shapes of the layer's first call: "(None, 28, 28, 1)", or a list for several.</summary>
        private static string InputShapes(Layer layer)
        {
            if (layer.InboundNodes.Count == 0) return layer.InputShape is { } s ? Engine.ShapeUtils.Format(s) : "?";
            var inputs = layer.InboundNodes[0].Inputs;
            return inputs.Length == 1 ? Engine.ShapeUtils.Format(inputs[0].Shape)
                : "[" + string.Join(", ", inputs.Select(i => Engine.ShapeUtils.Format(i.Shape))) + "]";
        }

        private static string OutputShapes(Layer layer)
        {
            if (layer is InputLayer il) return Engine.ShapeUtils.Format(il.BatchShape);
            if (layer.InboundNodes.Count == 0) return layer.OutputShape is { } s ? Engine.ShapeUtils.Format(s) : "?";
            var outputs = layer.InboundNodes[0].Outputs;
            return outputs.Length == 1 ? Engine.ShapeUtils.Format(outputs[0].Shape)
                : "[" + string.Join(", ", outputs.Select(x => Engine.ShapeUtils.Format(x.Shape))) + "]";
        }

        private static string OutputDtypes(Layer layer)
        {
            if (layer is InputLayer il) return Layer.DTypeName(il.Output.DType);
            if (layer.InboundNodes.Count == 0) return "?";
            var outputs = layer.InboundNodes[0].Outputs;
            return outputs.Length == 1 ? Layer.DTypeName(outputs[0].DType)
                : "[" + string.Join(", ", outputs.Select(x => "'" + Layer.DTypeName(x.DType) + "'")) + "]";
        }

        private static string Html(string s) => WebUtility.HtmlEncode(s);

        private static string Quote(string id) => "\"" + id.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static string? FindDot()
        {
            if (DotProgram is { } configured) return File.Exists(configured) ? configured : null;
            var names = OperatingSystem.IsWindows() ? new[] { "dot.exe" } : new[] { "dot" };
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                foreach (var n in names)
                {
                    var candidate = Path.Combine(dir, n);
                    if (File.Exists(candidate)) return candidate;
                }
            return null;
        }

        private static void WriteAtomically(string path, string text)
        {
            var dir = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(dir);
            var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(tmp, text, new UTF8Encoding(false));
            File.Move(tmp, path, overwrite: true);
        }
    }
}
