using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

/// <summary>
/// The two-output forms (attention scores, recurrent states) and the call arguments of a functional graph
/// (attention_mask, use_causal_mask, return_attention_scores, initial_state) through a <c>.keras</c> file written as
/// Keras writes them (inbound node <c>kwargs</c>), and back: bit-identical predictions of every output.
/// </summary>
public class KerasFormatCallArgumentsTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 8;


    private static void Randomize(Model model)
    {
        using var _ = torch.no_grad();
        foreach (var v in model.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
    }

    private static JsonObject Config(string path) =>
        JsonNode.Parse(Encoding.UTF8.GetString(ReadZip(path).Single(e => e.Name == "config.json").Data))!.AsObject();

    private static JsonObject LayerRecord(JsonObject config, string className) =>
        config["config"]!["layers"]!.AsArray().Single(l => l!["class_name"]!.GetValue<string>() == className)!.AsObject();

    /// <summary>Saves, loads, and checks every output bit for bit; returns the saved config.json.</summary>
    private JsonObject RoundTrip(Model model, string file, params Tensor[] inputs)
    {
        var path = Path.Combine(Dir, file);
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.That(loaded.Outputs.Count, Is.EqualTo(model.Outputs.Count));
        var a = model.PredictOnBatch(inputs);
        var b = loaded.PredictOnBatch(inputs);
        Assert.That(b, Has.Length.EqualTo(a.Length));
        for (int i = 0; i < a.Length; i++) Assert.That(BitEqual(a[i], b[i]), Is.True, $"output {i}");
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());
        return Config(path);
    }

    [Test]
    public void MultiHeadAttentionWithMaskCausalAndScoresRoundTrips()
    {
        var q = Keras.Input(shape: [4, 6]);
        var v = Keras.Input(shape: [5, 6]);
        var mask = Keras.Input(shape: [4, 5], dtype: ScalarType.Bool);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3, returnAttentionScores: true, name: "mha");
        var outs = mha.ApplyMulti(q, v, null, mask, useCausalMask: true);
        var model = new Model([q, v, mask], [new Dense(2).Apply(outs[0]), outs[1]], name: "mha_model");
        Randomize(model);
        var m = torch.rand(3, 4, 5).gt(0.3);
        var cfg = RoundTrip(model, "mha.keras", torch.randn(3, 4, 6), torch.randn(3, 5, 6), m);

        // Keras's layout: query and value positional, the mask and the flags as keyword arguments; the layer config
        // has no return_attention_scores (a call argument in Keras).
        var rec = LayerRecord(cfg, "MultiHeadAttention");
        Assert.That(rec["config"]!.AsObject().ContainsKey("return_attention_scores"), Is.False);
        var node = rec["inbound_nodes"]![0]!;
        Assert.That(node["args"]!.AsArray().Count, Is.EqualTo(2));
        Assert.That(node["kwargs"]!["attention_mask"]!["config"]!["dtype"]!.GetValue<string>(), Is.EqualTo("bool"));
        Assert.That(node["kwargs"]!["use_causal_mask"]!.GetValue<bool>(), Is.True);
        Assert.That(node["kwargs"]!["return_attention_scores"]!.GetValue<bool>(), Is.True);
        // The scores are the layer's second output: [name, node 0, tensor 1].
        var outputs = cfg["config"]!["output_layers"]!.AsArray();
        Assert.That(outputs[1]!.ToJsonString(), Is.EqualTo("[\"mha\",0,1]"));
    }

    [Test]
    public void AttentionWithCausalMaskAndScoresRoundTrips()
    {
        var ids = Keras.Input(shape: [5], dtype: ScalarType.Int64);
        var e = new Embedding(20, 4, maskZero: true).Apply(ids);
        var outs = new Attention(useScale: true, returnAttentionScores: true).ApplyMulti([e, e], useCausalMask: true);
        var model = new Model([ids], [new GlobalAveragePooling1D().Apply(outs[0]), outs[1]], name: "att_model");
        Randomize(model);
        var x = torch.randint(0, 20, [3, 5], dtype: ScalarType.Int64);
        x[0, 3..] = torch.tensor(0L);
        var cfg = RoundTrip(model, "att.keras", x);
        var node = LayerRecord(cfg, "Attention")["inbound_nodes"]![0]!;
        Assert.That(node["args"]![0]!.AsArray().Count, Is.EqualTo(2), "Attention is called on the list [query, value]");
        Assert.That(node["kwargs"]!["use_causal_mask"]!.GetValue<bool>(), Is.True);
        Assert.That(node["kwargs"]!["return_attention_scores"]!.GetValue<bool>(), Is.True);

        // Sharpkeras's own format keeps the causal mask too.
        var skeras = Path.Combine(Dir, "att.skeras");
        model.Save(skeras);
        var back = Model.Load(skeras);
        Assert.That(BitEqual(back.PredictOnBatch([x])[1], model.PredictOnBatch([x])[1]), Is.True);
    }

    [Test]
    public void RecurrentStatesAndInitialStatesRoundTrip()
    {
        var enc = Keras.Input(shape: [6, 3]);
        var dec = Keras.Input(shape: [4, 2]);
        var encOuts = new LSTM(4, returnState: true, name: "encoder").ApplyMulti(enc);                   // [output, h, c]
        var decOuts = new LSTM(4, returnSequences: true, returnState: true, name: "decoder").ApplyMulti(dec, encOuts[1], encOuts[2]);
        var bi = new Bidirectional(new GRU(2, returnSequences: true, returnState: true), mergeMode: null, name: "bi").ApplyMulti(decOuts[0]);
        var model = new Model([enc, dec], [decOuts[0], decOuts[2], bi[1], bi[3], encOuts[1]], name: "seq2seq");
        Randomize(model);
        var cfg = RoundTrip(model, "s2s.keras", torch.randn(2, 6, 3), torch.randn(2, 4, 2));
        var layers = cfg["config"]!["layers"]!.AsArray();
        var decoder = layers.Single(l => l!["name"]!.GetValue<string>() == "decoder")!;
        var node = decoder["inbound_nodes"]![0]!;
        Assert.That(node["args"]!.AsArray().Count, Is.EqualTo(1));
        var states = node["kwargs"]!["initial_state"]!.AsArray();
        Assert.That(states.Select(s => s!["config"]!["keras_history"]!.ToJsonString()), Is.EqualTo(new[] { "[\"encoder\",0,1]", "[\"encoder\",0,2]" }));
        Assert.That(decoder["config"]!["return_state"]!.GetValue<bool>(), Is.True);
    }
}
