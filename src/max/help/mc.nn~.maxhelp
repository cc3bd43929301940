{
 "patcher": {
  "fileversion": 1,
  "appversion": {
   "major": 8,
   "minor": 6,
   "revision": 0,
   "architecture": "x64",
   "modernui": 1
  },
  "classnamespace": "box",
  "rect": [
   100,
   100,
   760,
   560
  ],
  "boxes": [
   {
    "box": {
     "id": "obj-135",
     "maxclass": "comment",
     "numinlets": 1,
     "numoutlets": 0,
     "patching_rect": [
      20,
      14,
      480,
      40.0
     ],
     "text": "mc.nn~ \u2014 nn~ in C. See the tabs: basic, messages, attributes, buffers, void, multichannel.",
     "linecount": 2
    }
   },
   {
    "box": {
     "id": "obj-136",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      76.0,
      120,
      22.0
     ],
     "text": "p basic",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-68",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "mc.nn~: runs a deep-learning audio model (RAVE, vschaos2, any nn~ TorchScript file) on signals. The model runs on a worker thread: the audio thread never waits for it.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-69",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          20,
          96.0,
          140,
          22.0
         ],
         "text": "mc.cycle~ @chans 2"
        }
       },
       {
        "box": {
         "id": "obj-70",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          150.0,
          360,
          22.0
         ],
         "text": "mc.nn~ nn_effects saturate 4096 @chans 2"
        }
       },
       {
        "box": {
         "id": "obj-71",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          204.0,
          80,
          22.0
         ],
         "text": "mc.dac~ 1 2"
        }
       },
       {
        "box": {
         "id": "obj-72",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          248.0,
          480,
          40.0
         ],
         "text": "Latency: 2B - n samples (n = vector size), or B - n with bufsize 0. bang tells it.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-73",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          310.0,
          480,
          60.0
         ],
         "text": "Non-Real-Time driver renders: create the object with @offline 1 so that every block waits for the model (Max does not tell externals which driver runs).",
         "linecount": 3
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-69",
          0
         ],
         "destination": [
          "obj-70",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-70",
          0
         ],
         "destination": [
          "obj-71",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "basic"
     }
    }
   },
   {
    "box": {
     "id": "obj-137",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      106.0,
      120,
      22.0
     ],
     "text": "p messages",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-74",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "Every message goes to the left inlet. Answers come out of the rightmost (info) outlet.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-75",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          70,
          44,
          22.0
         ],
         "text": "bang",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-76",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          70,
          480,
          40.0
         ],
         "text": "state on the info outlet: model, method, bufsize, dim, ratio, latency, overruns, mode",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-77",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          120,
          72,
          22.0
         ],
         "text": "enable 0",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-78",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          120,
          331.5,
          20.0
         ],
         "text": "silence out, input not consumed (enable 1: back on)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-79",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          150,
          51,
          22.0
         ],
         "text": "gpu 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-80",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          150,
          325.0,
          20.0
         ],
         "text": "run on a GPU (an error where libtorch has no CUDA)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-81",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          180,
          121,
          22.0
         ],
         "text": "load nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-82",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          180,
          344.5,
          20.0
         ],
         "text": "another model file, swapped in without stopping audio",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-83",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          210,
          121,
          22.0
         ],
         "text": "method saturate",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-84",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          210,
          175.5,
          20.0
         ],
         "text": "another method of the model",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-85",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          240,
          100,
          22.0
         ],
         "text": "bufsize 2048",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-86",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          240,
          480,
          20.0
         ],
         "text": "another buffer size (power of two; 0 = synchronous); delay auto: lower latency",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-87",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          270,
          58,
          22.0
         ],
         "text": "reload",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-88",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          270,
          480.0,
          20.0
         ],
         "text": "reload the file, keeping the values you set; resample 0: ignore a model's own rate",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-89",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          300,
          100,
          22.0
         ],
         "text": "set gain 0.5",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-90",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          300,
          480,
          40.0
         ],
         "text": "typed attribute value; buffer attributes take a buffer~ name, tensors an [array] name",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-91",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          350,
          72,
          22.0
         ],
         "text": "get gain",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-92",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          350,
          214.5,
          20.0
         ],
         "text": "current value, on the info outlet",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-93",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          380,
          44,
          22.0
         ],
         "text": "dump",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-94",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          380,
          318.5,
          20.0
         ],
         "text": "everything the model declares, on the info outlet",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-95",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          410,
          170,
          22.0
         ],
         "text": "print_available_models",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-96",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          410,
          299.0,
          20.0
         ],
         "text": "list the IRCAM Forum models in the Max console",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-97",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          440,
          184,
          22.0
         ],
         "text": "download ircam/rave/isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-98",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          440,
          318.5,
          20.0
         ],
         "text": "download a model card into the user models folder",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-99",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          470,
          93,
          22.0
         ],
         "text": "remove isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-100",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          470,
          318.5,
          20.0
         ],
         "text": "delete a downloaded model (delete isis: the same)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-101",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          500,
          93,
          22.0
         ],
         "text": "delete isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-102",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          500,
          117.0,
          20.0
         ],
         "text": "the same as remove",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-103",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          530,
          198,
          22.0
         ],
         "text": "api http://127.0.0.1:8000/",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-104",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          530,
          136.5,
          20.0
         ],
         "text": "use another model API",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-105",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          20,
          570,
          40,
          22.0
         ],
         "text": "t l"
        }
       },
       {
        "box": {
         "id": "obj-106",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          610,
          360,
          22.0
         ],
         "text": "mc.nn~ nn_effects saturate 4096 @chans 2"
        }
       },
       {
        "box": {
         "id": "obj-107",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          300,
          650,
          80,
          22.0
         ],
         "text": "print info"
        }
       },
       {
        "box": {
         "id": "obj-207",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          130,
          240,
          75,
          22.0
         ],
         "text": "delay auto",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-208",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          100,
          270,
          80,
          22.0
         ],
         "text": "resample 0",
         "outlettype": [
          ""
         ]
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-75",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-77",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-79",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-81",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-83",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-85",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-87",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-89",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-91",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-93",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-95",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-97",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-99",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-101",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-103",
          0
         ],
         "destination": [
          "obj-105",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-105",
          0
         ],
         "destination": [
          "obj-106",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-106",
          1
         ],
         "destination": [
          "obj-107",
          0
         ]
        }
       },
       {
        "patchline": {
         "destination": [
          "obj-105",
          0
         ],
         "source": [
          "obj-207",
          0
         ]
        }
       },
       {
        "patchline": {
         "destination": [
          "obj-105",
          0
         ],
         "source": [
          "obj-208",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "messages"
     }
    }
   },
   {
    "box": {
     "id": "obj-138",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      136.0,
      120,
      22.0
     ],
     "text": "p attributes",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-108",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "Attributes: set them in the box (@name value) or send the attribute name with a value.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-109",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          60,
          72,
          22.0
         ],
         "text": "enable 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-110",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          60,
          130.0,
          20.0
         ],
         "text": "process (0: silence)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-111",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          90,
          51,
          22.0
         ],
         "text": "gpu 0",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-112",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          90,
          65.0,
          20.0
         ],
         "text": "CPU or GPU",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-113",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          120,
          121,
          22.0
         ],
         "text": "track_buffers 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-114",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          120,
          331.5,
          20.0
         ],
         "text": "re-read buffer~ attributes when the buffer~ changes",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-115",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          150,
          79,
          22.0
         ],
         "text": "offline 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-116",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          150,
          480,
          40.0
         ],
         "text": "(at creation) wait for the model: complete renders with the Non-Real-Time driver",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-117",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          200,
          65,
          22.0
         ],
         "text": "chans 4",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-118",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          200,
          253.5,
          20.0
         ],
         "text": "output channels per cord (0: automatic)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-119",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          260,
          360,
          22.0
         ],
         "text": "mc.nn~ nn_effects saturate 4096 @chans 2"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-109",
          0
         ],
         "destination": [
          "obj-119",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-111",
          0
         ],
         "destination": [
          "obj-119",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-113",
          0
         ],
         "destination": [
          "obj-119",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-115",
          0
         ],
         "destination": [
          "obj-119",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-117",
          0
         ],
         "destination": [
          "obj-119",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "attributes"
     }
    }
   },
   {
    "box": {
     "id": "obj-139",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      166.0,
      120,
      22.0
     ],
     "text": "p buffers",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-120",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "Buffer attributes read every channel of a buffer~ at its own sample rate; tensor attributes read an [array]. With @track_buffers 1, editing the buffer~ sets the attribute again.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-121",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          96.0,
          200,
          22.0
         ],
         "text": "buffer~ mysound jongly.aif"
        }
       },
       {
        "box": {
         "id": "obj-122",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          240,
          96.0,
          220,
          22.0
         ],
         "text": "array myvalues @value 0.1 0.2 0.3"
        }
       },
       {
        "box": {
         "id": "obj-123",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          140.0,
          142,
          22.0
         ],
         "text": "set sample mysound",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-124",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          200,
          140.0,
          142,
          22.0
         ],
         "text": "set table myvalues",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-125",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          194.0,
          360,
          22.0
         ],
         "text": "mc.nn~ demo_attributes forward 4096 @track_buffers 1"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-123",
          0
         ],
         "destination": [
          "obj-125",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-124",
          0
         ],
         "destination": [
          "obj-125",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "buffers"
     }
    }
   },
   {
    "box": {
     "id": "obj-140",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      196.0,
      120,
      22.0
     ],
     "text": "p void",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-126",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          442.0,
          20.0
         ],
         "text": "mc.nn~ void <inlets> <outlets> <bufsize>: fixed cords, no model yet.",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-127",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          56.0,
          121,
          22.0
         ],
         "text": "load nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-128",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          160,
          56.0,
          184,
          22.0
         ],
         "text": "download ircam/rave/isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-129",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          360,
          56.0,
          79,
          22.0
         ],
         "text": "load isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-130",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 3,
         "patching_rect": [
          20,
          110.0,
          220,
          22.0
         ],
         "text": "mc.nn~ void 1 2 4096"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-127",
          0
         ],
         "destination": [
          "obj-130",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-128",
          0
         ],
         "destination": [
          "obj-130",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-129",
          0
         ],
         "destination": [
          "obj-130",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "void"
     }
    }
   },
   {
    "box": {
     "id": "obj-141",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      226.0,
      120,
      22.0
     ],
     "text": "p multichannel",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-131",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "mc.nn~: one multichannel cord per model dimension; its channels are batch examples (the widest input cord sets the batch). @chans sets the outlet channels (extra ones are silent, fewer drop examples).",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-132",
         "maxclass": "newobj",
         "numinlets": 3,
         "numoutlets": 1,
         "patching_rect": [
          20,
          96.0,
          90,
          22.0
         ],
         "text": "mc.pack~ 3"
        }
       },
       {
        "box": {
         "id": "obj-133",
         "maxclass": "newobj",
         "numinlets": 3,
         "numoutlets": 4,
         "patching_rect": [
          20,
          150.0,
          260,
          22.0
         ],
         "text": "mc.nn~ demo_mc batch 2048 @chans 3"
        }
       },
       {
        "box": {
         "id": "obj-134",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          194.0,
          480,
          40.0
         ],
         "text": "demo_mc batch: every channel outputs its batch index; demo_mc channel: outlet c outputs c.",
         "linecount": 2
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-132",
          0
         ],
         "destination": [
          "obj-133",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "multichannel"
     }
    }
   }
  ],
  "lines": []
 }
}