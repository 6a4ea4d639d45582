using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

public partial class Model
{
    /// <summary>The Functional graph's nodes in topological order (null for other models).</summary>
    internal IReadOnlyList<Node>? GraphNodes => _graph?.Nodes;

    /// <summary>The Functional graph's inputs (null for other models).</summary>
    internal IReadOnlyList<KerasTensor>? GraphInputs => _graph?.Inputs;

    /// <summary>The Functional graph's outputs (null for other models).</summary>
    internal IReadOnlyList<KerasTensor>? GraphOutputs => _graph?.Outputs;

    /// <summary>
    /// Saves the whole model (Keras's <c>model.save</c>) to a <c>.skeras</c> file: a zip archive with
    /// <c>config.json</c> (architecture, compile config, format and library versions), <c>model.safetensors</c>
    /// (weights, Keras layout) and <c>optimizer.safetensors</c> (optimizer state, once it has one). The write
    /// is atomic: an interrupted save never damages an existing file.
    /// </summary>
    /// <param name="path">The file path; must end in ".skeras", or ".keras" for Keras 3's own format.</param>
    /// <param name="overwrite">Whether to replace an existing file.</param>
    /// <exception cref="ArgumentException">The path is empty or lacks the ".skeras" extension.</exception>
    /// <exception cref="InvalidOperationException">A layer's config holds a value that cannot be saved.</exception>
    public void Save(string path, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".keras", StringComparison.OrdinalIgnoreCase)) { Saving.KerasFormat.KerasArchive.Write(this, AtomicFile.CheckTarget(path, overwrite, nameof(path))); return; }
        if (!path.EndsWith(".skeras", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Invalid filepath extension for saving: '{path}'. A whole model is saved to a '.skeras' or '.keras' file; use SaveWeights for a '.safetensors' or '.weights.h5' weights file.", nameof(path));
        var full = AtomicFile.CheckTarget(path, overwrite, nameof(path));
        ModelArchive.Write(this, full);
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save"/> (Keras's <c>keras.models.load_model</c>): rebuilds the
    /// architecture from the config (built-in classes by name; custom ones must be registered with
    /// <see cref="RegisterSerializableAttribute"/> / <see cref="Serialization.Register{T}(string?, string)"/> or passed in
    /// <paramref name="customObjects"/>), restores the weights, and — with <paramref name="compile"/> — compiles it
    /// as it was and restores the optimizer state, so training continues exactly. No code from the file is
    /// ever run; the file is validated before the model is returned.
    /// </summary>
    /// <param name="path">A ".skeras" file, or a Keras 3 ".keras" file.</param>
    /// <param name="compile">Whether to compile the model with its saved compile config.</param>
    /// <param name="customObjects">Extra classes by class name or registered name.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, or names a class that is not known.</exception>
    public static Model Load(string path, bool compile = true, IReadOnlyDictionary<string, Type>? customObjects = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        if (path.EndsWith(".keras", StringComparison.OrdinalIgnoreCase)) return Saving.KerasFormat.KerasArchive.Read(path, compile, customObjects);
        return ModelArchive.Read(path, compile, customObjects);
    }

    /// <summary>
    /// Saves the weights (Keras's <c>model.save_weights</c>) to a <c>.safetensors</c> file that Python's
    /// <c>safetensors</c> can read: one tensor per weight, named by layer path ("conv2d_1/kernel"), in
    /// Keras's layout. The write is atomic.
    /// </summary>
    /// <param name="path">The file path; must end in ".safetensors", or ".weights.h5" for Keras 3's HDF5 weights file.</param>
    /// <param name="overwrite">Whether to replace an existing file.</param>
    public void SaveWeights(string path, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase)) { Saving.KerasFormat.KerasArchive.WriteWeights(this, AtomicFile.CheckTarget(path, overwrite, nameof(path))); return; }
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The filename must end in '.safetensors' for SaveWeights; got '{path}'.", nameof(path));
        var full = AtomicFile.CheckTarget(path, overwrite, nameof(path));
        using var scope = torch.NewDisposeScope();
        var weights = WeightStore.Collect(this);
        AtomicFile.Write(full, s => SafeTensors.Write(s, weights, ModelArchive.Metadata("model weights")));
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/> (or the weights of a ".skeras" file) into this model
    /// (Keras's <c>model.load_weights</c>). Weights are matched by layer path, or by order when the layers
    /// were named differently (same weights in the same order). Everything is checked before any weight is
    /// assigned, so a failure leaves the model unchanged.
    /// </summary>
    /// <param name="path">A ".safetensors" or ".skeras" file, or Keras 3's ".weights.h5" or ".keras".</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">The file's weights do not fit this model (names the weight, the expected and the found shape).</exception>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No weights file at '{path}'.", path);
        if (path.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".keras", StringComparison.OrdinalIgnoreCase)) { Saving.KerasFormat.KerasArchive.ReadWeights(this, path); return; }
        using var scope = torch.NewDisposeScope();
        SafeTensorsFile file;
        if (path.EndsWith(".skeras", StringComparison.OrdinalIgnoreCase)) file = ModelArchive.ReadWeights(path);
        else
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            file = SafeTensors.Read(fs, $"'{path}'");
        }
        using (file)
        {
            var map = WeightStore.Match(this, file.Tensors, $"'{path}'");
            WeightStore.Assign(map, file.Tensors);
        }
    }
}
