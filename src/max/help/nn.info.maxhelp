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
     "id": "obj-215",
     "maxclass": "comment",
     "numinlets": 1,
     "numoutlets": 0,
     "patching_rect": [
      20,
      14,
      123.5,
      20.0
     ],
     "text": "nn.info \u2014 nn~ in C.",
     "linecount": 1
    }
   },
   {
    "box": {
     "id": "obj-216",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      56.0,
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
         "id": "obj-217",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "nn.info inspects a model file without running it: path, methods with parameters and labels, attributes with types and values, buffer attributes, sample rate. The right outlet lists downloadable models.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-218",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          96.0,
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
         "id": "obj-219",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          96.0,
          344.5,
          20.0
         ],
         "text": "names, every parameter, the dictionary, the catalogue",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-220",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          126.0,
          114,
          22.0
         ],
         "text": "set nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-221",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          126.0,
          84.5,
          20.0
         ],
         "text": "another model",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-222",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          156.0,
          44,
          22.0
         ],
         "text": "path",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-223",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          156.0,
          60,
          20.0
         ],
         "text": "the file",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-224",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          186.0,
          65,
          22.0
         ],
         "text": "methods",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-225",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          186.0,
          78.0,
          20.0
         ],
         "text": "method names",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-226",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          216.0,
          86,
          22.0
         ],
         "text": "attributes",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-227",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          216.0,
          97.5,
          20.0
         ],
         "text": "attribute names",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-228",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          246.0,
          149,
          22.0
         ],
         "text": "parameters saturate",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-229",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          246.0,
          409.5,
          20.0
         ],
         "text": "a method's params and labels, or an attribute's types and value",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-230",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          276.0,
          58,
          22.0
         ],
         "text": "models",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-231",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          276.0,
          357.5,
          20.0
         ],
         "text": "downloadable models, as a dictionary (rightmost outlet)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-232",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          306.0,
          156,
          22.0
         ],
         "text": "get_available_models",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-233",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          306.0,
          117.0,
          20.0
         ],
         "text": "the same as models",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-234",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          336.0,
          79,
          22.0
         ],
         "text": "dump_dict",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-235",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          336.0,
          364.0,
          20.0
         ],
         "text": "the model as a dictionary (fifth outlet); @dict names it",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-236",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          366.0,
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
         "id": "obj-237",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          366.0,
          104.0,
          20.0
         ],
         "text": "download a model",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-238",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          396.0,
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
         "id": "obj-239",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          396.0,
          162.5,
          20.0
         ],
         "text": "delete a downloaded model",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-240",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          426.0,
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
         "id": "obj-241",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          426.0,
          60,
          20.0
         ],
         "text": "the same",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-242",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          456.0,
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
         "id": "obj-243",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          456.0,
          110.5,
          20.0
         ],
         "text": "another model API",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-244",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          486.0,
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
         "id": "obj-245",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          486.0,
          104.0,
          20.0
         ],
         "text": "the same as bang",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-246",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 6,
         "patching_rect": [
          20,
          536.0,
          260,
          22.0
         ],
         "text": "nn.info nn_effects @dict effects_info"
        }
       },
       {
        "box": {
         "id": "obj-247",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          586.0,
          90,
          22.0
         ],
         "text": "print path"
        }
       },
       {
        "box": {
         "id": "obj-248",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          115,
          586.0,
          90,
          22.0
         ],
         "text": "print methods"
        }
       },
       {
        "box": {
         "id": "obj-249",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          210,
          586.0,
          90,
          22.0
         ],
         "text": "print attributes"
        }
       },
       {
        "box": {
         "id": "obj-250",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          305,
          586.0,
          90,
          22.0
         ],
         "text": "print params"
        }
       },
       {
        "box": {
         "id": "obj-251",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          400,
          586.0,
          90,
          22.0
         ],
         "text": "print dict"
        }
       },
       {
        "box": {
         "id": "obj-252",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          495,
          586.0,
          90,
          22.0
         ],
         "text": "print models"
        }
       },
       {
        "box": {
         "id": "obj-253",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          626.0,
          480,
          80.0
         ],
         "text": "Outlets, left to right: model path, `method <name>` per method, `attribute <name>` per attribute, `<method> channels_in 1`-style parameters and `<attr> attribute_type ...`, the model dictionary, the downloadable models (dictionary).",
         "linecount": 4
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-218",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-220",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-222",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-224",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-226",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-228",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-230",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-232",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-234",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-236",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-238",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-240",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-242",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-244",
          0
         ],
         "destination": [
          "obj-246",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-246",
          0
         ],
         "destination": [
          "obj-247",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-246",
          1
         ],
         "destination": [
          "obj-248",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-246",
          2
         ],
         "destination": [
          "obj-249",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-246",
          3
         ],
         "destination": [
          "obj-250",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-246",
          4
         ],
         "destination": [
          "obj-251",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-246",
          5
         ],
         "destination": [
          "obj-252",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "basic"
     }
    }
   }
  ],
  "lines": []
 }
}