using Sharpkeras.Onnx;

namespace Sharpkeras;

/// <summary>ONNX export of Sharpkeras models (Keras's <c>model.export(path, format="onnx")</c>).</summary>
public static class OnnxExtensions
{
    /// <summary>
    /// Writes the model's inference graph as a standard ONNX file that ONNX Runtime, ML.NET and other ONNX tools run:
    /// one graph input per model input as Keras users feed them (channels_last images, integer token ids, bool
    /// attention masks), one graph output per model output, a dynamic batch dimension, and the layers in inference mode
    /// (dropout and random augmentation are the identity, batch normalization uses its moving statistics). Recurrent
    /// layers are unrolled over their (fixed) number of time steps; Keras masks are applied where Predict applies them.
    /// </summary>
    /// <param name="model">The model to export; it must be built (its input shape known).</param>
    /// <param name="path">The ".onnx" file to write (replaced if it exists; the write is atomic).</param>
    /// <param name="opset">The ONNX opset of the default domain; 17 or later.</param>
    /// <exception cref="ArgumentException">The path is empty or the opset is below 17.</exception>
    /// <exception cref="NotSupportedException">A layer (named in the message) has no ONNX equivalent in this exporter.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet.</exception>
    public static void ExportOnnx(this Model model, string path, int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (opset < 17)
            throw new ArgumentException($"ExportOnnx: opset must be 17 or later (the exporter uses opset-17 operators); got {opset}.", nameof(opset));
        var proto = OnnxExporter.Export(model, opset);
        var full = Path.GetFullPath(path);
        var tmp = full + $".tmp-{Guid.NewGuid():N}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            using (var cos = new Google.Protobuf.CodedOutputStream(fs))
            {
                proto.WriteTo(cos);
                cos.Flush();
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
