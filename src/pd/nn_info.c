/* nn~ in C — the Pure Data object [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * [nn.info <model>] inspects a model file without running it on audio: its path, methods
 * with their parameters and labels, attributes with their types and current values, buffer
 * attributes and sample rate, as Pd messages on the left outlet; the models that can be
 * downloaded from the model API go out of the right outlet. The model is loaded on the main
 * thread (inspection is not real-time work); downloads are handled by nn_pd_downloads.
 */
#include "m_pd.h"
#include "nn/nn.h"
#include "nn_pd.h"

#define NN_INFO_POLL_MS 20.0

static t_class *nn_info_class;

typedef struct nn_info {
    t_object obj;
    t_canvas *canvas;
    t_outlet *out;
    t_outlet *models_out;
    nn_model *model;
    nn_pd_downloads downloads;
} t_nn_info;

static bool nn_info_need_model(t_nn_info *x, const char *what)
{
    if (x->model)
        return true;
    pd_error(x, "nn.info: %s: no model loaded (send 'set <model>')", what);
    return false;
}

static void nn_info_output_value(t_nn_info *x, int index)
{
    nn_value_list values = {0, NULL};
    nn_error err;
    nn_error_clear(&err);
    const nn_attribute_info *a = nn_model_attribute(x->model, index);
    if (nn_model_attribute_get(x->model, index, &values, &err) != NN_OK)
        pd_error(x, "nn.info: value of %s: %s", a->name, err.message);
    else
        nn_pd_output_value(x->out, a->name, &values);
    nn_value_list_clear(&values);
}

static void nn_info_path(t_nn_info *x)
{
    t_atom a;
    SETSYMBOL(&a, gensym(x->model ? nn_model_path(x->model) : "none"));
    outlet_anything(x->out, gensym("path"), 1, &a);
}

static void nn_info_methods(t_nn_info *x)
{
    if (nn_info_need_model(x, "methods"))
        nn_pd_output_methods(x->out, x->model);
}

static void nn_info_attributes(t_nn_info *x)
{
    if (nn_info_need_model(x, "attributes"))
        nn_pd_output_attributes(x->out, x->model);
}

static void nn_info_parameters(t_nn_info *x, t_symbol *name)
{
    if (!nn_info_need_model(x, "parameters"))
        return;
    int m = nn_model_method_find(x->model, name->s_name);
    int a = nn_model_attribute_find(x->model, name->s_name);
    if (m < 0 && a < 0) {
        pd_error(x, "nn.info: parameters: '%s' is neither a method nor an attribute of %s", name->s_name,
                 nn_model_path(x->model));
        return;
    }
    if (m >= 0)
        nn_pd_output_method_params(x->out, x->model, m);
    if (a >= 0) {
        nn_pd_output_attribute_types(x->out, x->model, a);
        nn_info_output_value(x, a);
    }
}

static void nn_info_bang(t_nn_info *x)
{
    nn_info_path(x);
    if (!x->model)
        return;
    nn_pd_output_methods(x->out, x->model);
    for (int i = 0; i < nn_model_method_count(x->model); i++)
        nn_pd_output_method_params(x->out, x->model, i);
    nn_pd_output_attributes(x->out, x->model);
    for (int i = 0; i < nn_model_attribute_count(x->model); i++) {
        nn_pd_output_attribute_types(x->out, x->model, i);
        nn_info_output_value(x, i);
    }
    int n_buffers = nn_model_buffer_count(x->model);
    t_atom *atoms = getbytes(sizeof(t_atom) * (size_t)(n_buffers > 0 ? n_buffers : 1));
    for (int i = 0; i < n_buffers; i++)
        SETSYMBOL(&atoms[i], gensym(nn_model_buffer_name(x->model, i)));
    outlet_anything(x->out, gensym("buffers"), n_buffers, atoms);
    freebytes(atoms, sizeof(t_atom) * (size_t)(n_buffers > 0 ? n_buffers : 1));
    t_atom sr;
    SETFLOAT(&sr, (t_float)nn_model_sample_rate(x->model));
    outlet_anything(x->out, gensym("samplerate"), 1, &sr);
}

static void nn_info_set(t_nn_info *x, t_symbol *s, int argc, t_atom *argv)
{
    if (argc != 1 || argv[0].a_type != A_SYMBOL) {
        pd_error(x, "nn.info: %s needs one model name or path", s->s_name);
        return;
    }
    const char *name = argv[0].a_w.w_symbol->s_name;
    char path[MAXPDSTRING];
    nn_error err;
    nn_error_clear(&err);
    if (nn_pd_locate(x->canvas, name, path, sizeof path, &err) != NN_OK) {
        pd_error(x, "nn.info: could not find model '%s': %s", name, err.message);
        return;
    }
    nn_model_config config = nn_model_config_default();
    config.sample_rate = (int)sys_getsr();
    nn_model *model = NULL;
    if (nn_model_load(path, &config, &model, &err) != NN_OK) {
        pd_error(x, "nn.info: could not load model '%s': %s", name, err.message);
        return;
    }
    nn_model_free(x->model);
    x->model = model;
}

/* ---- downloadable models ---------------------------------------------------------------- */

static void nn_info_on_list(void *owner, const nn_card_list *cards)
{
    t_nn_info *x = owner;
    for (int i = 0; i < cards->count; i++) {
        t_atom a;
        SETSYMBOL(&a, gensym(cards->cards[i]));
        outlet_anything(x->models_out, gensym("model"), 1, &a);
    }
    t_atom count;
    SETFLOAT(&count, (t_float)cards->count);
    outlet_anything(x->models_out, gensym("count"), 1, &count);
}

/* Pd hands methods the object itself: these pass its download side on. */
static void nn_info_api(t_nn_info *x, t_symbol *url)
{
    nn_pd_downloads_api(&x->downloads, url);
}

static void nn_info_models(t_nn_info *x)
{
    nn_pd_downloads_list(&x->downloads);
}

static void nn_info_download(t_nn_info *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    nn_pd_downloads_download(&x->downloads, argc, argv);
}

static void nn_info_remove(t_nn_info *x, t_symbol *s, int argc, t_atom *argv)
{
    nn_pd_downloads_remove(&x->downloads, s, argc, argv);
}

/* ---- creation ----------------------------------------------------------------------------- */

static void *nn_info_new(t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_nn_info *x = (t_nn_info *)pd_new(nn_info_class);
    x->canvas = canvas_getcurrent();
    x->out = outlet_new(&x->obj, NULL);
    x->models_out = outlet_new(&x->obj, NULL);
    nn_pd_downloads_init(&x->downloads, x, "nn.info", x->models_out, nn_info_on_list, false, NN_INFO_POLL_MS);
    if (argc >= 1)
        nn_info_set(x, gensym("set"), 1, argv);
    if (argc > 1)
        pd_error(x, "nn.info: takes one argument (a model name or path); extra arguments ignored");
    return x;
}

static void nn_info_free(t_nn_info *x)
{
    nn_pd_downloads_free(&x->downloads);
    nn_model_free(x->model);
}

/* Pd derives the setup name of a class whose name holds a '.' by hex-encoding it. */
NN_PD_EXPORT void setup_nn0x2einfo(void)
{
    nn_info_class = class_new(gensym("nn.info"), (t_newmethod)(t_method)nn_info_new, (t_method)nn_info_free,
                              sizeof(t_nn_info), CLASS_DEFAULT, A_GIMME, 0);
    class_addbang(nn_info_class, nn_info_bang);
    class_addmethod(nn_info_class, (t_method)nn_info_bang, gensym("dump"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_set, gensym("set"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_set, gensym("load"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_path, gensym("path"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_methods, gensym("methods"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_attributes, gensym("attributes"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_parameters, gensym("parameters"), A_SYMBOL, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_models, gensym("models"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_api, gensym("api"), A_DEFSYM, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_download, gensym("download"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_remove, gensym("remove"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_remove, gensym("delete"), A_GIMME, 0);
}
